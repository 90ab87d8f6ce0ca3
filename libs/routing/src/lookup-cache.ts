import { LRUCache } from 'lru-cache';

interface Entry<V> {
  at: number;
  value: Promise<V>;
}

/**
 * A cache of asynchronous lookups (apps by key, push-secret checks) that a flood of made-up keys cannot
 * empty: positive and negative answers live in separate LRUs, and a pending lookup waits among the
 * negatives, so only the negatives churn. Entries live `ttlMs`; concurrent lookups of one key share one
 * promise; a rejected lookup is not kept; `clear` forgets at once (the app change feed calls it).
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
    const now = Date.now();
    const hit = this.positive.get(key) ?? this.negative.get(key);
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
