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
 * full jitter a uniformly random time below that bound, so a crowd of clients spreads out.
 */
export function backoffDelay(attempt: number, o: Backoff, random: () => number = Math.random): number {
  const bound = Math.min(o.maxDelayMs, o.minDelayMs * o.factor ** attempt);
  return Math.round(o.jitter ? random() * bound : bound);
}
