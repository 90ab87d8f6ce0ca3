/** The part of a gRPC stream (or any object-mode Writable) the queue needs. */
export interface QueueStream<M> {
  write(message: M, cb: (err?: Error | null) => void): boolean;
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface StreamQueueLimits {
  /** Messages waiting, held here or handed to the stream and not yet taken by the transport. */
  maxMessages: number;
  /** Their bytes (estimated by the caller: payload plus names). */
  maxBytes: number;
}

interface Held<M> {
  message: M;
  bytes: number;
  /** Kept across a stream loss and sent on the next stream (client publishes); others are dropped. */
  keep: boolean;
}

/**
 * A bounded queue in front of a stream that honours its backpressure: messages are handed to the
 * stream only while it does not need a drain (at most its high-water mark is buffered inside it);
 * the rest wait here. Everything not yet taken by the transport counts against the bounds, in
 * messages and in bytes, so a stream that stops draining makes `offer` refuse instead of growing.
 * Without a stream (detached) messages wait here, within the same bounds.
 */
export class StreamQueue<M> {
  private held: Array<Held<M> | undefined> = [];
  private head = 0;
  private heldBytes = 0;
  private inFlight = 0;
  private inFlightBytes = 0;
  private stream: QueueStream<M> | undefined;
  /** Changes with every stream, so callbacks from a lost stream's writes are ignored. */
  private epoch = 0;
  private waitingDrain = false;

  /**
   * Called on every drain, before held messages are written: the owner pushes what it coalesced
   * meanwhile (at most one message of each kind per drain, so they cannot pile up).
   */
  onDrain: () => void = () => undefined;

  constructor(private readonly limits: StreamQueueLimits) {}

  /** Messages not yet taken by the transport. */
  get count(): number {
    return this.held.length - this.head + this.inFlight;
  }

  get bytes(): number {
    return this.heldBytes + this.inFlightBytes;
  }

  /** True when a message of `bytes` fits: under the count bound, and under the byte bound unless empty. */
  hasRoom(bytes: number): boolean {
    return (
      this.count < this.limits.maxMessages && (this.bytes === 0 || this.bytes + bytes <= this.limits.maxBytes)
    );
  }

  /** A stream is set and takes more without buffering past its high-water mark. */
  get ready(): boolean {
    return this.stream !== undefined && !this.waitingDrain && !this.stream.writableNeedDrain;
  }

  /** Queues the message if it fits (see hasRoom); false, and nothing queued, when it does not. */
  offer(message: M, bytes: number, keep = false): boolean {
    if (!this.hasRoom(bytes)) return false;
    this.push(message, bytes, keep);
    return true;
  }

  /**
   * Queues without the bound check, for messages whose number is bounded elsewhere (a coalesced
   * delta pushed only when `ready` or on a drain); they still count, so publishes wait behind them.
   */
  push(message: M, bytes: number, keep = false): void {
    this.held.push({ message, bytes, keep });
    this.heldBytes += bytes;
    this.pump();
  }

  /**
   * Sets the stream to write to (after it is registered), or none when it is lost. Messages the lost
   * stream had not sent are gone with it; held client publishes wait for the next stream, the rest
   * are dropped (they belonged to the lost stream). Returns how many were dropped.
   */
  setStream(stream: QueueStream<M> | undefined): number {
    this.epoch++;
    this.stream = stream;
    this.waitingDrain = false;
    this.inFlight = 0;
    this.inFlightBytes = 0;
    if (stream !== undefined) {
      this.pump();
      return 0;
    }
    const kept: Array<Held<M>> = [];
    let dropped = 0;
    for (let i = this.head; i < this.held.length; i++) {
      const h = this.held[i] as Held<M>;
      if (h.keep) kept.push(h);
      else dropped++;
    }
    this.held = kept;
    this.head = 0;
    this.heldBytes = kept.reduce((n, h) => n + h.bytes, 0);
    return dropped;
  }

  private pump(): void {
    const stream = this.stream;
    if (stream === undefined || this.waitingDrain) return;
    const epoch = this.epoch;
    while (this.head < this.held.length && !stream.writableNeedDrain) {
      const h = this.held[this.head] as Held<M>;
      this.held[this.head++] = undefined;
      this.heldBytes -= h.bytes;
      this.inFlight++;
      this.inFlightBytes += h.bytes;
      stream.write(h.message, () => {
        if (epoch !== this.epoch) return;
        this.inFlight--;
        this.inFlightBytes -= h.bytes;
      });
    }
    if (this.head === this.held.length) {
      this.held.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held.splice(0, this.head);
      this.head = 0;
    }
    if (!stream.writableNeedDrain) return;
    this.waitingDrain = true;
    stream.once('drain', () => {
      if (epoch !== this.epoch) return;
      this.waitingDrain = false;
      this.onDrain();
      this.pump();
    });
  }
}
