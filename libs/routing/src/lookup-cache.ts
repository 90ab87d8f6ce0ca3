import { LRUCache } from 'lru-cache';

interface Entry<V> {
  at: number;
  value: Promise<V>;
  /** A positive entry past its TTL whose reload is under way. */
  refreshing?: boolean;
}

/**
 * A cache of asynchronous lookups (apps by key, push-secret checks) that a flood of made-up keys cannot
 * empty: positive and negative answers live in separate LRUs, and a pending lookup waits among the
 * negatives, so only the negatives churn. Concurrent lookups of one key share one promise; a rejected
 * lookup is not kept; `clear` forgets at once (the app change feed calls it on every app change, which is
 * what keeps answers correct; the TTL is only the backstop).
 *
 * A negative answer lives `ttlMs`. A positive one past `ttlMs` is served stale while one reload runs in the
 * background (stale-while-revalidate): a request for a known key never waits on the database, which kept a
 * query (1-2 ms of event-loop time with Prisma) on the request path of one publish per TTL. The reload's
 * answer replaces it (a refusal moves it to the negatives); a failed reload drops it, so the next lookup
 * waits for the database as it did before.
 */
export class LookupCache<V> {
  private readonly positive: LRUCache<string, Entry<V>>;
  private readonly negative: LRUCache<string, Entry<V>>;

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    /** Whether an answer is a positive one (kept apart from the flood of negatives). */
    private readonly isPositive: (value: V) => boolean,
  ) {
    this.positive = new LRUCache({ max: maxEntries });
    this.negative = new LRUCache({ max: maxEntries });
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load(); // caching off: every lookup asks
    const now = Date.now();
    const known = this.positive.get(key);
    if (known !== undefined) {
      if (now - known.at >= this.ttlMs && known.refreshing !== true) this.revalidate(key, known, load, now);
      return known.value;
    }
    const hit = this.negative.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value;
    const entry: Entry<V> = { at: now, value: load() };
    this.negative.set(key, entry);
    entry.value.then(
      (value) => {
        if (this.negative.get(key) !== entry) return; // cleared or replaced meanwhile
        if (this.isPositive(value)) {
          this.negative.delete(key);
          this.positive.set(key, entry);
        } else this.positive.delete(key);
      },
      () => {
        if (this.negative.get(key) === entry) this.negative.delete(key);
      },
    );
    return entry.value;
  }

  private revalidate(key: string, stale: Entry<V>, load: () => Promise<V>, now: number): void {
    stale.refreshing = true;
    load().then(
      (value) => {
        if (this.positive.get(key) !== stale) return; // cleared or replaced meanwhile
        const fresh: Entry<V> = { at: now, value: Promise.resolve(value) };
        if (this.isPositive(value)) this.positive.set(key, fresh);
        else {
          this.positive.delete(key);
          this.negative.set(key, fresh);
        }
      },
      () => {
        if (this.positive.get(key) === stale) this.positive.delete(key);
      },
    );
  }

  /** Forgets `key`, or everything. */
  clear(key?: string): void {
    if (key === undefined) {
      this.positive.clear();
      this.negative.clear();
    } else {
      this.positive.delete(key);
      this.negative.delete(key);
    }
  }
}
