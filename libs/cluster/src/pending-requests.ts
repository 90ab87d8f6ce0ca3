/**
 * Requests a gateway sent on its Attach stream and waits to hear about (history replays, presence
 * joins, client publishes on history topics), by request id. Bounded in time: `expire` fails what
 * waited past the deadline; `failAll` fails everything when the stream is lost (its answers are gone).
 */
export class PendingRequests<T> {
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (v: T) => void; reject: (e: Error) => void; at: number }
  >();

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  open(): { id: number; promise: Promise<T> } {
    const id = ++this.next;
    const promise = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, at: this.now() });
    });
    return { id, promise };
  }

  settle(id: number, value: T): void {
    const w = this.waiting.get(id);
    if (w === undefined) return; // expired, or from a lost stream
    this.waiting.delete(id);
    w.resolve(value);
  }

  fail(id: number, err: Error): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    w.reject(err);
  }

  failAll(err: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(err);
  }

  /** Fails every request older than the timeout. */
  expire(err: Error): void {
    const oldest = this.now() - this.timeoutMs;
    for (const [id, w] of this.waiting) {
      if (w.at > oldest) break; // in order of opening
      this.waiting.delete(id);
      w.reject(err);
    }
  }
}
