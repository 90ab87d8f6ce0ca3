import type { cluster } from '@beacon/contracts';
import { status, type ClientDuplexStream, type Metadata } from '@grpc/grpc-js';
import { StreamQueue } from './stream-queue.js';

type Stream = ClientDuplexStream<cluster.PublishCall, cluster.PublishResult>;

interface Pending {
  deadline: number;
  resolve: (reply: cluster.PublishReply) => void;
  reject: (err: PublishError) => void;
}

/** A refused or failed publish, shaped like a grpc-js ServiceError (`code`, `details`). */
export class PublishError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
  ) {
    super(`${code} ${status[code] ?? ''}: ${details}`);
    this.name = 'PublishError';
  }
}

export interface PublishChannelOptions {
  /** Opens the stream (with the cluster token in `metadata`). */
  open: (metadata: Metadata) => Stream;
  metadata: () => Metadata;
  deadlineMs: number;
  /** Publishes waiting for their result, at most; past it publishes are refused UNAVAILABLE. */
  maxPending?: number;
  /** Bytes of publishes not yet taken by the transport, at most. */
  maxQueuedBytes?: number;
}

const CALL_BYTES = 48;

/**
 * The push API's publishes on one long-lived PublishStream instead of a unary call each: a unary call
 * costs several hundred microseconds of CPU in both processes, a stream message a tenth of that.
 * Opened on first use and again after a failure; each publish gets a request id and waits for its
 * result or its deadline (checked by one timer, not one per publish). Writes honour the stream's
 * backpressure through a StreamQueue bounded in messages and bytes; when it or the pending map is
 * full the publish is refused UNAVAILABLE, like a failed call. When the stream fails, everything
 * waiting is refused UNAVAILABLE.
 */
export class PublishChannel {
  private stream: Stream | undefined;
  private readonly queue: StreamQueue<cluster.PublishCall>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxPending: number;

  constructor(private readonly options: PublishChannelOptions) {
    this.maxPending = options.maxPending ?? 10_000;
    this.queue = new StreamQueue({
      maxMessages: this.maxPending,
      maxBytes: options.maxQueuedBytes ?? 16 << 20,
    });
  }

  publish(request: cluster.PublishRequest): Promise<cluster.PublishReply> {
    if (this.closed) return Promise.reject(new PublishError(status.UNAVAILABLE, 'closed'));
    const bytes =
      CALL_BYTES + request.dataJson.length + request.appId.length + request.topics.join('').length;
    if (this.pending.size >= this.maxPending || !this.queue.hasRoom(bytes)) {
      return Promise.reject(
        new PublishError(status.UNAVAILABLE, 'too many publishes waiting for the topic-service'),
      );
    }
    this.ensureStream();
    const requestId = this.nextId++;
    return new Promise<cluster.PublishReply>((resolve, reject) => {
      this.pending.set(requestId, { deadline: Date.now() + this.options.deadlineMs, resolve, reject });
      this.queue.push({ requestId, request }, bytes);
      this.timer ??= this.startTimer();
    });
  }

  close(): void {
    this.closed = true;
    this.fail(this.stream, 'closed');
  }

  private ensureStream(): void {
    if (this.stream !== undefined) return;
    const stream = this.options.open(this.options.metadata());
    this.stream = stream;
    stream.on('data', (r: cluster.PublishResult) => this.result(r));
    stream.on('error', (err: { code?: number; details?: string; message?: string }) =>
      this.fail(stream, err.details ?? err.message ?? 'stream failed', err.code),
    );
    stream.on('end', () => this.fail(stream, 'stream ended'));
    this.queue.setStream(stream);
  }

  private result(r: cluster.PublishResult): void {
    const id = Number(r.requestId);
    const p = this.pending.get(id);
    if (p === undefined) return; // past its deadline already
    this.pending.delete(id);
    if (r.code === 0 && r.reply !== undefined && r.reply !== null) p.resolve(r.reply);
    else p.reject(new PublishError(r.code || status.INTERNAL, r.message || 'no reply'));
  }

  /**
   * The stream is gone: everything waiting on it fails with the stream's status (UNAVAILABLE when it
   * has none, or OK); the next publish opens a new one.
   */
  private fail(stream: Stream | undefined, why: string, code?: number): void {
    if (stream === undefined || stream !== this.stream) return;
    this.stream = undefined;
    this.queue.setStream(undefined);
    stream.removeAllListeners('data');
    stream.on('error', () => undefined);
    stream.cancel();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    const failed = code === undefined || code === status.OK ? status.UNAVAILABLE : (code as status);
    for (const p of waiting) p.reject(new PublishError(failed, why));
  }

  /** Deadlines are all `deadlineMs` after their publish, so the oldest expire first. */
  private startTimer(): NodeJS.Timeout {
    const t = setInterval(
      () => {
        const now = Date.now();
        for (const [id, p] of this.pending) {
          if (p.deadline > now) break;
          this.pending.delete(id);
          p.reject(new PublishError(status.DEADLINE_EXCEEDED, 'deadline exceeded'));
        }
        if (this.pending.size === 0) {
          clearInterval(t);
          this.timer = undefined;
        }
      },
      Math.max(10, Math.min(100, this.options.deadlineMs / 10)),
    );
    t.unref();
    return t;
  }
}
