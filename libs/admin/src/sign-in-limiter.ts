import { LRUCache } from 'lru-cache';

/**
 * Failed sign-ins per account and per remote address, each in a sliding window. Past either limit sign-in
 * is refused (429) until the oldest failure in the window ages out; a success clears the account's
 * failures. Bounded: at most `maxKeys` accounts and addresses are remembered, each with at most its limit
 * of timestamps. Per process (each push-api counts its own; docs/dashboard.md).
 */
export class SignInLimiter {
  private readonly accounts: LRUCache<string, number[]>;
  private readonly addresses: LRUCache<string, number[]>;

  constructor(
    private readonly opts: { accountLimit: number; addressLimit: number; windowMs: number },
    private readonly now: () => number,
    maxKeys = 10_000,
  ) {
    this.accounts = new LRUCache({ max: maxKeys });
    this.addresses = new LRUCache({ max: maxKeys });
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(account: string, address: string): number {
    const now = this.now();
    const wait = Math.max(
      this.waitOf(this.accounts, account, this.opts.accountLimit, now),
      this.waitOf(this.addresses, address, this.opts.addressLimit, now),
    );
    return wait === 0 ? 0 : Math.max(1, Math.ceil(wait / 1000));
  }

  failed(account: string, address: string): void {
    const now = this.now();
    this.push(this.accounts, account, this.opts.accountLimit, now);
    this.push(this.addresses, address, this.opts.addressLimit, now);
  }

  succeeded(account: string): void {
    this.accounts.delete(account);
  }

  private live(cache: LRUCache<string, number[]>, key: string, now: number): number[] {
    const list = (cache.get(key) ?? []).filter((t) => t > now - this.opts.windowMs);
    return list;
  }

  private waitOf(cache: LRUCache<string, number[]>, key: string, limit: number, now: number): number {
    const list = this.live(cache, key, now);
    if (list.length < limit) return 0;
    return (list[list.length - limit] as number) + this.opts.windowMs - now;
  }

  private push(cache: LRUCache<string, number[]>, key: string, limit: number, now: number): void {
    const list = this.live(cache, key, now);
    list.push(now);
    cache.set(key, list.slice(-limit));
  }
}
