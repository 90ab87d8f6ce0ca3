import type { ReconnectOptions } from './types.js';

export type Backoff = Required<ReconnectOptions>;

export function backoffOptions(o: ReconnectOptions = {}): Backoff {
  return {
    minDelayMs: o.minDelayMs ?? 500,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    factor: o.factor ?? 2,
    jitter: o.jitter ?? true,
    maxAttempts: o.maxAttempts ?? Infinity,
  };
}

/**
 * The wait before retry number `attempt` (0 = first): exponential growth capped at `maxDelayMs`, and with
 * full jitter a uniformly random time below that bound, so a crowd of clients spreads out. The bound is
 * with jitter also never more than the time already spent disconnected (`elapsedMs`, at least
 * `minDelayMs`): a client whose first draws were short would otherwise reach a long window after a short
 * outage, and come back long after the server did.
 */
export function backoffDelay(
  attempt: number,
  o: Backoff,
  elapsedMs = Infinity,
  random: () => number = Math.random,
): number {
  const cap = o.jitter ? Math.max(o.minDelayMs, elapsedMs) : Infinity;
  const bound = Math.min(o.maxDelayMs, o.minDelayMs * o.factor ** attempt, cap);
  return Math.round(o.jitter ? random() * bound : bound);
}
