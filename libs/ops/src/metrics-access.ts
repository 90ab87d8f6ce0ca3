import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/** `BEACON_METRICS_TOKEN`: when set, /metrics wants it as a Bearer token; unset, only loopback peers may scrape. */
export const metricsEnv = {
  BEACON_METRICS_TOKEN: z.string().min(16, 'at least 16 characters').max(512).optional(),
};

export interface MetricsAccess {
  token: string | undefined;
}
export const METRICS_ACCESS = Symbol('METRICS_ACCESS');

export type MetricsDecision = 'ok' | 'unauthorized' | 'forbidden';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Who may read /metrics: the Bearer token when one is configured (compared in constant time), else loopback peers. */
export function metricsDecision(
  access: MetricsAccess,
  authorization: string | undefined,
  peer: string | undefined,
): MetricsDecision {
  if (access.token === undefined) return isLoopback(peer) ? 'ok' : 'forbidden';
  const given = /^Bearer (\S{1,512})$/.exec(authorization ?? '')?.[1];
  if (given === undefined) return 'unauthorized';
  return timingSafeEqual(digest(given), digest(access.token)) ? 'ok' : 'unauthorized';
}
