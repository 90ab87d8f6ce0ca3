import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffOptions } from './backoff.js';

describe('backoffDelay', () => {
  const o = backoffOptions({ minDelayMs: 100, maxDelayMs: 5000, factor: 2 });

  it('without jitter waits the bound: exponential, capped at maxDelayMs', () => {
    const fixed = { ...o, jitter: false };
    expect([0, 1, 2, 3, 4, 5, 6, 10, 100].map((n) => backoffDelay(n, fixed))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
  });

  it('with full jitter waits random × bound, from 0 up to (never past) the bound', () => {
    expect(backoffDelay(3, o, Infinity, () => 0)).toBe(0);
    expect(backoffDelay(3, o, Infinity, () => 0.5)).toBe(400);
    expect(backoffDelay(3, o, Infinity, () => 0.999999)).toBe(800);
    expect(backoffDelay(50, o, Infinity, () => 0.999999)).toBe(5000);
  });

  it('with jitter never waits longer than the time already spent disconnected (at least minDelayMs)', () => {
    const top = () => 0.999999;
    expect(backoffDelay(10, o, 1200, top)).toBe(1200);
    expect(backoffDelay(10, o, 30, top)).toBe(100);
    expect(backoffDelay(2, o, 1200, top)).toBe(400);
    expect(backoffDelay(10, { ...o, jitter: false }, 1200)).toBe(5000);
  });

  it('spreads a crowd over the whole window', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(4, o));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1600);
    // every tenth of [0, 1600] is hit by some client
    const tenths = new Set(delays.map((d) => Math.min(9, Math.floor(d / 160))));
    expect(tenths.size).toBe(10);
  });

  it('defaults: 500 ms doubling up to 30 s with jitter, unlimited attempts', () => {
    expect(backoffOptions()).toEqual({
      minDelayMs: 500,
      maxDelayMs: 30_000,
      factor: 2,
      jitter: true,
      maxAttempts: Infinity,
    });
  });
});
