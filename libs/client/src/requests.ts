import type { RequestId } from '@beacon/protocol';
import { BeaconError } from './errors.js';

interface Pending {
  text: string;
  sent: boolean;
  /** Sent only on an open connection; never queued for the next one. */
  live: boolean;
  resolve(frame: unknown): void;
  reject(err: BeaconError): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** Requests waiting for the server's answer, matched by `id`. */
export class Requests {
  private readonly pending = new Map<RequestId, Pending>();
  private seq = 0;

  /**
   * Registers a request; `send` writes it now if it can. A request that is not `live` waits for the next
   * connection when there is none; `timeoutMs` 0 waits for as long as the connection lasts.
   */
  add<T>(frame: object, timeoutMs: number, live: boolean, send: (text: string) => boolean): Promise<T> {
    const id = ++this.seq;
    const text = JSON.stringify({ ...frame, id });
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { text, sent: false, live, resolve: resolve as (f: unknown) => void, reject };
      this.pending.set(id, p);
      if (timeoutMs > 0) {
        p.timer = setTimeout(
          () => this.settle(id, new BeaconError('timeout', `no answer in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }
      p.sent = send(text);
      if (!p.sent && live) this.settle(id, new BeaconError('disconnected', 'not connected'));
    });
  }

  /** Resolves (a frame) or rejects (an error) the request `id`; false when no such request waits. */
  settle(id: RequestId | undefined, outcome: unknown): boolean {
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (outcome instanceof BeaconError) p.reject(outcome);
    else p.resolve(outcome);
    return true;
  }

  /** A new connection: writes what waited for one. */
  flush(send: (text: string) => boolean): void {
    for (const p of this.pending.values()) if (!p.sent) p.sent = send(p.text);
  }

  /** The connection ended: what was sent can no longer be answered; with `all`, nothing waits any more. */
  drop(err: BeaconError, all: boolean): void {
    for (const [id, p] of this.pending) if (p.sent || p.live || all) this.settle(id, err);
  }
}
