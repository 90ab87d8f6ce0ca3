import { describe, expect, it } from 'vitest';
import { SignInLimiter } from './sign-in-limiter.js';

describe('SignInLimiter', () => {
  const make = () => {
    const clock = { now: 1_000_000 };
    return {
      clock,
      l: new SignInLimiter({ accountLimit: 3, addressLimit: 5, windowMs: 60_000 }, () => clock.now),
    };
  };

  it('allows the limit of failures per account, then says how long to wait', () => {
    const { clock, l } = make();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('a', 'ip1')).toBe(0);
      l.failed('a', 'ip1');
      clock.now += 1_000;
    }
    expect(l.retryAfter('a', 'ip2')).toBe(57); // the first failure ages out 60 s after it happened
    clock.now += 57_000;
    expect(l.retryAfter('a', 'ip2')).toBe(0);
  });

  it('limits an address across accounts', () => {
    const { l } = make();
    for (let i = 0; i < 5; i++) l.failed(`acct${i}`, 'ip1');
    expect(l.retryAfter('fresh', 'ip1')).toBeGreaterThan(0);
    expect(l.retryAfter('fresh', 'ip2')).toBe(0);
  });

  it('a success clears the account, not the address', () => {
    const { l } = make();
    for (let i = 0; i < 3; i++) l.failed('a', 'ip1');
    l.succeeded('a');
    expect(l.retryAfter('a', 'ip9')).toBe(0);
  });

  it('stays bounded: at most the limit of timestamps per key and maxKeys keys', () => {
    const clock = { now: 0 };
    const l = new SignInLimiter({ accountLimit: 2, addressLimit: 2, windowMs: 60_000 }, () => clock.now, 10);
    for (let i = 0; i < 1000; i++) l.failed(`acct${i}`, `ip${i}`);
    const inner = l as unknown as { accounts: { size: number }; addresses: { size: number } };
    expect(inner.accounts.size).toBe(10);
    expect(inner.addresses.size).toBe(10);
  });
});
