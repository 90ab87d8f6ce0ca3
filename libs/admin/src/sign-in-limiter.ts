/** Where failed sign-ins are kept: the database in every deployment (SignInFailuresRepository). */
export interface SignInFailureStore {
  record(keys: readonly string[], at: Date): Promise<string[]>;
  recent(key: string, since: Date, limit: number): Promise<Date[]>;
  remove(ids: readonly string[]): Promise<void>;
  clear(key: string): Promise<void>;
  prune(before: Date): Promise<number>;
}

/** An admitted attempt: counted as a failure until `succeeded` withdraws it. */
export interface SignInAttempt {
  readonly account: string;
  readonly ids: readonly string[];
}

export interface SignInLimits {
  accountLimit: number;
  addressLimit: number;
  windowMs: number;
}

const accountKey = (account: string): string => `account:${account}`;
const addressKey = (address: string): string => `address:${address}`;

/**
 * Failed sign-ins per account and per remote address, each in a sliding window, counted in the database so
 * every process sharing it (each push-api of a cluster) spends one budget. Past either limit sign-in is
 * refused (429) until the oldest failure in the window ages out; a success clears the account's failures.
 *
 * An attempt is recorded as a failure BEFORE the password is checked, then the count is read again: attempts
 * racing on several processes see each other's rows, so together they never pass the limit (at worst a
 * racing one is refused early). The success path withdraws the attempt's rows. Nothing here depends on
 * whether the account exists, so the limiter adds the same database work either way.
 */
export class SignInLimiter {
  constructor(
    private readonly store: SignInFailureStore,
    private readonly opts: SignInLimits,
    private readonly now: () => number,
  ) {}

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  async retryAfter(account: string, address: string): Promise<number> {
    return this.waitSec(account, address, 0, this.now());
  }

  /**
   * Admits an attempt (counting it as a failure) or answers the seconds to wait. The caller reports the
   * outcome with `succeeded`; a failed attempt needs no call, its rows already count.
   */
  async begin(account: string, address: string): Promise<SignInAttempt | { retryAfter: number }> {
    const now = this.now();
    const before = await this.waitSec(account, address, 0, now);
    if (before > 0) return { retryAfter: before };
    const ids = await this.store.record([accountKey(account), addressKey(address)], new Date(now));
    // Our own rows are in the count now: more than the limit means others raced in beside us.
    const after = await this.waitSec(account, address, 1, now);
    if (after > 0) {
      await this.store.remove(ids);
      return { retryAfter: after };
    }
    return { account, ids };
  }

  /** The attempt's password was right: the account's failures are forgotten, the address's stay. */
  async succeeded(attempt: SignInAttempt): Promise<void> {
    await this.store.remove(attempt.ids);
    await this.store.clear(accountKey(attempt.account));
  }

  /** Deletes failures no window still counts. */
  prune(): Promise<number> {
    return this.store.prune(new Date(this.now() - this.opts.windowMs));
  }

  private async waitSec(account: string, address: string, extra: number, now: number): Promise<number> {
    const [a, b] = await Promise.all([
      this.waitOf(accountKey(account), this.opts.accountLimit + extra, now),
      this.waitOf(addressKey(address), this.opts.addressLimit + extra, now),
    ]);
    const wait = Math.max(a, b);
    return wait === 0 ? 0 : Math.max(1, Math.ceil(wait / 1000));
  }

  /** Milliseconds until fewer than `limit` of the key's failures are in the window. */
  private async waitOf(key: string, limit: number, now: number): Promise<number> {
    const times = await this.store.recent(key, new Date(now - this.opts.windowMs), limit);
    if (times.length < limit) return 0;
    const oldest = times[limit - 1] as Date;
    return Math.max(1, oldest.getTime() + this.opts.windowMs - now);
  }
}
