import { describe, expect, it } from 'vitest';
import { SignInLimiter, type SignInAttempt, type SignInFailureStore } from './sign-in-limiter.js';

/** The store's contract in memory (the database one is SignInFailuresRepository, tested in persistence). */
class MemoryFailures implements SignInFailureStore {
  rows: Array<{ id: string; key: string; at: number }> = [];
  private n = 0;
  async record(keys: readonly string[], at: Date): Promise<string[]> {
    return keys.map((key) => {
      const id = `f${++this.n}`;
      this.rows.push({ id, key, at: at.getTime() });
      return id;
    });
  }
  async recent(key: string, since: Date, limit: number): Promise<Date[]> {
    return this.rows
      .filter((r) => r.key === key && r.at > since.getTime())
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((r) => new Date(r.at));
  }
  async remove(ids: readonly string[]): Promise<void> {
    this.rows = this.rows.filter((r) => !ids.includes(r.id));
  }
  async clear(key: string): Promise<void> {
    this.rows = this.rows.filter((r) => r.key !== key);
  }
  async prune(before: Date): Promise<number> {
    const n = this.rows.length;
    this.rows = this.rows.filter((r) => r.at > before.getTime());
    return n - this.rows.length;
  }
}

const admitted = (a: SignInAttempt | { retryAfter: number }): SignInAttempt => {
  if ('retryAfter' in a) throw new Error(`refused: ${a.retryAfter}`);
  return a;
};

describe('SignInLimiter', () => {
  const make = (store = new MemoryFailures()) => {
    const clock = { now: 1_000_000 };
    const limits = { accountLimit: 3, addressLimit: 5, windowMs: 60_000 };
    return { clock, store, l: new SignInLimiter(store, limits, () => clock.now) };
  };

  it('allows the limit of failures per account, then says how long to wait', async () => {
    const { clock, l } = make();
    for (let i = 0; i < 3; i++) {
      admitted(await l.begin('a', 'ip1')); // not followed by succeeded: a failure
      clock.now += 1_000;
    }
    expect(await l.begin('a', 'ip2')).toEqual({ retryAfter: 57 }); // the first failure ages out 60 s after it
    clock.now += 57_000;
    expect(await l.retryAfter('a', 'ip2')).toBe(0);
  });

  it('limits an address across accounts', async () => {
    const { l } = make();
    for (let i = 0; i < 5; i++) admitted(await l.begin(`acct${i}`, 'ip1'));
    expect(await l.retryAfter('fresh', 'ip1')).toBeGreaterThan(0);
    expect(await l.retryAfter('fresh', 'ip2')).toBe(0);
  });

  it('a success withdraws its attempt and clears the account, not the address', async () => {
    const { l, store } = make();
    for (let i = 0; i < 2; i++) admitted(await l.begin('a', 'ip1'));
    await l.succeeded(admitted(await l.begin('a', 'ip1')));
    expect(store.rows.filter((r) => r.key === 'account:a')).toEqual([]);
    expect(store.rows.filter((r) => r.key === 'address:ip1')).toHaveLength(2);
    expect(await l.retryAfter('a', 'ip9')).toBe(0);
  });

  it('two limiters on one store (two processes on one database) share the budget', async () => {
    const store = new MemoryFailures();
    const one = make(store);
    const two = make(store);
    admitted(await one.l.begin('a', 'ip1'));
    admitted(await two.l.begin('a', 'ip2'));
    admitted(await one.l.begin('a', 'ip3'));
    expect('retryAfter' in (await two.l.begin('a', 'ip4'))).toBe(true);
  });

  it('attempts racing past the last free slot are refused, never admitted beyond the limit', async () => {
    const { l, store } = make();
    for (let i = 0; i < 2; i++) admitted(await l.begin('a', `ip${i}`));
    const raced = await Promise.all([l.begin('a', 'ipX'), l.begin('a', 'ipY'), l.begin('a', 'ipZ')]);
    expect(raced.filter((r) => !('retryAfter' in r)).length).toBeLessThanOrEqual(1);
    // refused attempts leave nothing behind
    expect(store.rows.filter((r) => r.key === 'account:a').length).toBeLessThanOrEqual(3);
  });

  it('prunes failures out of the window', async () => {
    const { clock, l, store } = make();
    admitted(await l.begin('a', 'ip1'));
    clock.now += 60_000;
    expect(await l.prune()).toBe(2);
    expect(store.rows).toEqual([]);
  });
});
