import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LookupCache } from './lookup-cache.js';

/** A lookup whose answers the test sets, counting calls; `hold` keeps the next answers pending. */
function source() {
  const answers = new Map<string, string | null>([['k', 'v1']]);
  let calls = 0;
  let held: Array<() => void> | null = null;
  let failing = false;
  return {
    answers,
    get calls() {
      return calls;
    },
    hold() {
      held = [];
    },
    release() {
      const h = held ?? [];
      held = null;
      for (const r of h) r();
    },
    fail(on: boolean) {
      failing = on;
    },
    load(key: string) {
      return (): Promise<string | null> => {
        calls++;
        const answer = answers.get(key) ?? null;
        const settle = failing ? () => Promise.reject(new Error('db down')) : () => Promise.resolve(answer);
        if (held === null) return settle();
        const h = held;
        return new Promise((resolve, reject) => h.push(() => void settle().then(resolve, reject)));
      };
    },
  };
}

const settled = () => new Promise<void>((r) => setImmediate(r));

describe('LookupCache', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('serves a known key stale past its TTL while one reload runs, then the reloaded answer', async () => {
    const src = source();
    const cache = new LookupCache<string | null>(1000, 10, (v) => v !== null);
    expect(await cache.get('k', src.load('k'))).toBe('v1');
    vi.setSystemTime(1500);
    src.answers.set('k', 'v2');
    src.hold();
    // past the TTL: answered at once from the stale entry, and only one reload starts for many calls
    expect(await cache.get('k', src.load('k'))).toBe('v1');
    expect(await cache.get('k', src.load('k'))).toBe('v1');
    expect(src.calls).toBe(2);
    src.release();
    await settled();
    expect(await cache.get('k', src.load('k'))).toBe('v2');
    expect(src.calls).toBe(2);
  });

  it('a reload that refuses moves the key to the negatives; a failed one drops it', async () => {
    const src = source();
    const cache = new LookupCache<string | null>(1000, 10, (v) => v !== null);
    await cache.get('k', src.load('k'));
    vi.setSystemTime(1000);
    src.answers.delete('k');
    expect(await cache.get('k', src.load('k'))).toBe('v1'); // stale, reload started
    await settled();
    expect(await cache.get('k', src.load('k'))).toBeNull(); // the refusal, cached
    expect(src.calls).toBe(2);

    src.answers.set('k', 'v3');
    vi.setSystemTime(2500);
    expect(await cache.get('k', src.load('k'))).toBe('v3'); // the negative expired: waited for the load
    vi.setSystemTime(4000);
    src.fail(true);
    expect(await cache.get('k', src.load('k'))).toBe('v3'); // stale; its reload fails
    await settled();
    await expect(cache.get('k', src.load('k'))).rejects.toThrow('db down'); // dropped: waits, and fails
  });

  it('clear() during a reload wins over the reload', async () => {
    const src = source();
    const cache = new LookupCache<string | null>(1000, 10, (v) => v !== null);
    await cache.get('k', src.load('k'));
    vi.setSystemTime(1000);
    src.hold();
    expect(await cache.get('k', src.load('k'))).toBe('v1');
    cache.clear();
    src.answers.set('k', 'after-clear');
    src.release();
    await settled();
    expect(await cache.get('k', src.load('k'))).toBe('after-clear');
    expect(src.calls).toBe(3);
  });

  it('with a TTL of 0 caches nothing: every lookup asks, a known key too', async () => {
    const src = source();
    const cache = new LookupCache<string | null>(0, 10, (v) => v !== null);
    expect(await cache.get('k', src.load('k'))).toBe('v1');
    src.answers.set('k', 'v2');
    expect(await cache.get('k', src.load('k'))).toBe('v2');
    expect(src.calls).toBe(2);
  });

  it('keeps negatives apart: a flood of unknown keys does not evict a known one', async () => {
    const src = source();
    const cache = new LookupCache<string | null>(60_000, 5, (v) => v !== null);
    await cache.get('k', src.load('k'));
    for (let i = 0; i < 50; i++) await cache.get(`x${i}`, src.load(`x${i}`));
    const before = src.calls;
    expect(await cache.get('k', src.load('k'))).toBe('v1');
    expect(src.calls).toBe(before);
  });
});
