import type { Clock } from './clock.js';
import { TopicServiceException } from './topic-service.exception.js';

interface Pending<G> {
  waiting: Set<G>;
  sum: number;
  cancelTimer: () => void;
  resolve: (count: number) => void;
}

const MAX_COUNT = 0xffffffff;

/**
 * Commands sent to gateways and the results they answer with. One request id per command, shared by
 * every gateway it goes to (so the command is built once); each gateway answers `result {requestId,
 * count}`. The command resolves with the sum when all have answered, or at the deadline with what
 * arrived: a gateway that did not answer counts 0 and is reported through `onTimeout`.
 */
export class CommandTracker<G> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<G>>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly maxPending: number,
    private readonly onTimeout: (gateways: number) => void,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Allocates a request id, builds the command with it once, and hands it to `write` for each
   * gateway; `write` returns false when the gateway could not take it (it is then not waited for).
   */
  dispatch<M>(
    gateways: Iterable<G>,
    build: (requestId: number) => M,
    write: (g: G, m: M) => boolean,
  ): Promise<number> {
    if (this.pending.size >= this.maxPending) {
      throw new TopicServiceException('too_large', `more than ${this.maxPending} commands in flight`);
    }
    const requestId = this.nextId++;
    const message = build(requestId);
    const waiting = new Set<G>();
    for (const g of gateways) if (write(g, message)) waiting.add(g);
    if (waiting.size === 0) return Promise.resolve(0);
    return new Promise<number>((resolve) => {
      const cancelTimer = this.clock.setTimer(() => this.expire(requestId), this.timeoutMs);
      this.pending.set(requestId, { waiting, sum: 0, cancelTimer, resolve });
    });
  }

  /** A gateway's answer; unknown or late request ids and gateways not asked are ignored. */
  result(gateway: G, requestId: number, count: number): void {
    const p = this.pending.get(requestId);
    if (p === undefined || !p.waiting.delete(gateway)) return;
    p.sum = Math.min(MAX_COUNT, p.sum + count);
    if (p.waiting.size === 0) this.finish(requestId, p);
  }

  /** The gateway is gone: stop waiting for it (it counts 0, not as a timeout). */
  forget(gateway: G): void {
    for (const [id, p] of this.pending) {
      if (p.waiting.delete(gateway) && p.waiting.size === 0) this.finish(id, p);
    }
  }

  /** Resolves everything in flight with what has arrived. */
  close(): void {
    for (const [id, p] of this.pending) this.finish(id, p);
  }

  private expire(requestId: number): void {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.onTimeout(p.waiting.size);
    this.finish(requestId, p);
  }

  private finish(requestId: number, p: Pending<G>): void {
    this.pending.delete(requestId);
    p.cancelTimer();
    p.resolve(p.sum);
  }
}
