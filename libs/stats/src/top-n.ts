/**
 * The `n` greatest items by `score` in one pass, without sorting everything: a binary min-heap of at
 * most `n` items (O(m log n) for m items). Ties broken by `tie` ascending, so results are stable.
 */
export class TopN<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly n: number,
    private readonly score: (t: T) => number,
    private readonly tie: (a: T, b: T) => number = () => 0,
  ) {}

  /** True when `a` ranks below `b`. */
  private below(a: T, b: T): boolean {
    const d = this.score(a) - this.score(b);
    return d < 0 || (d === 0 && this.tie(a, b) > 0);
  }

  /** Whether an item with this score could still enter (saves building one that would not). */
  wouldTake(score: number): boolean {
    return this.n > 0 && (this.heap.length < this.n || score >= this.score(this.heap[0] as T));
  }

  push(item: T): void {
    const h = this.heap;
    if (this.n <= 0) return;
    if (h.length < this.n) {
      h.push(item);
      this.up(h.length - 1);
    } else if (this.below(h[0] as T, item)) {
      h[0] = item;
      this.down(0);
    }
  }

  /** The kept items, best first. */
  take(): T[] {
    return [...this.heap].sort((a, b) => (this.below(a, b) ? 1 : this.below(b, a) ? -1 : 0));
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.below(h[i] as T, h[p] as T)) break;
      [h[i], h[p]] = [h[p] as T, h[i] as T];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.below(h[l] as T, h[m] as T)) m = l;
      if (r < h.length && this.below(h[r] as T, h[m] as T)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as T, h[i] as T];
      i = m;
    }
  }
}
