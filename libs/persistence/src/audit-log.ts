import { randomBytes } from 'node:crypto';

export interface AuditEntry {
  actor: string;
  appId?: string | null;
  action: string;
  target?: string | null;
  result: string;
  remoteAddr?: string | null;
  detail?: unknown;
  ts?: Date;
}

export interface AuditStats {
  /** Waiting to be written (including a batch held back for retry). */
  queued: number;
  written: number;
  /** Refused at record() because the queue was full (or the log closed). */
  dropped: number;
  /** Given up after write failures. */
  failed: number;
  /** Batches written successfully. */
  batches: number;
}

export interface AuditQuery {
  appId?: string;
  action?: string;
  actor?: string;
  limit?: number;
  before?: Date;
}

export type AuditRecordOut = AuditEntry & { id: string; ts: Date };

/** A row as queued and written: everything resolved at record() time. */
export interface AuditRow {
  id: string;
  ts: Date;
  actor: string;
  appId: string | null;
  action: string;
  target: string | null;
  result: string;
  remoteAddr: string | null;
  detail: unknown;
}

/** Where audit rows go: the Prisma store in production, fakes in tests. */
export interface AuditStore {
  insertMany(rows: AuditRow[]): Promise<void>;
  find(q: Required<Pick<AuditQuery, 'limit'>> & Omit<AuditQuery, 'limit'>): Promise<AuditRecordOut[]>;
}

export interface AuditLogOptions {
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  /** First retry delay; doubles per failed attempt up to 5 s. */
  retryBaseMs?: number;
  /** Write attempts per batch during flush()/close() before it is counted as failed. */
  flushAttempts?: number;
  /** Called when a batch write fails (never with entry contents). */
  onWriteError?: (err: unknown, rows: number) => void;
}

const MAX_BACKOFF_MS = 5_000;
const MAX_DETAIL_CHARS = 8_192;
export const AUDIT_QUERY_DEFAULT_LIMIT = 100;
export const AUDIT_QUERY_MAX_LIMIT = 1000;

/**
 * Bounded, batched audit pipeline. record() only enqueues (never awaits the database, never throws); a timer
 * and a full batch trigger createMany writes. A failed batch is retried with exponential backoff while the queue
 * has room; once the queue is full it is given up and counted as `failed`. Entries arriving at a full queue are
 * dropped and counted. Every loss is visible in stats().
 */
export class AuditLog {
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly flushAttempts: number;
  private readonly onWriteError: (err: unknown, rows: number) => void;
  private readonly timer: NodeJS.Timeout;
  private queue: AuditRow[] = [];
  /** A batch whose write failed, waiting for its retry; written before anything newer. */
  private retained: AuditRow[] | null = null;
  private attempts = 0;
  private retryAt = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly counters = { written: 0, dropped: 0, failed: 0, batches: 0 };

  constructor(
    private readonly store: AuditStore,
    opts: AuditLogOptions = {},
  ) {
    this.maxQueue = Math.max(1, opts.maxQueue ?? 10_000);
    this.batchSize = Math.max(1, opts.batchSize ?? 500);
    this.retryBaseMs = Math.max(0, opts.retryBaseMs ?? 100);
    this.flushAttempts = Math.max(1, opts.flushAttempts ?? 3);
    this.onWriteError = opts.onWriteError ?? (() => undefined);
    this.timer = setInterval(() => this.kick(), Math.max(1, opts.flushIntervalMs ?? 200));
    this.timer.unref();
  }

  record(entry: AuditEntry): void {
    try {
      if (this.closed || this.queue.length >= this.maxQueue) {
        this.counters.dropped++;
        return;
      }
      this.queue.push(toRow(entry));
      if (this.queue.length >= this.batchSize) this.kick();
    } catch {
      this.counters.dropped++;
    }
  }

  stats(): AuditStats {
    return { queued: this.queue.length + (this.retained?.length ?? 0), ...this.counters };
  }

  /** Writes everything queued so far; batches that still fail after `flushAttempts` are counted as failed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    this.retryAt = 0;
    const run = this.drain(true);
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  /** Stops the timer, refuses new entries and flushes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closed = true;
    await this.flush();
  }

  async query(q: AuditQuery = {}): Promise<AuditRecordOut[]> {
    const limit = Math.min(
      AUDIT_QUERY_MAX_LIMIT,
      Math.max(1, Math.floor(q.limit ?? AUDIT_QUERY_DEFAULT_LIMIT)),
    );
    return this.store.find({ ...q, limit });
  }

  private kick(): void {
    if (this.running || (this.queue.length === 0 && !this.retained) || Date.now() < this.retryAt) return;
    const run = this.drain(false);
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = null;
    });
  }

  /** Writes batches until nothing is pending. In the background a failure schedules a retry and returns. */
  private async drain(flushing: boolean): Promise<void> {
    for (;;) {
      const batch = this.retained ?? this.queue.splice(0, this.batchSize);
      this.retained = null;
      if (batch.length === 0) return;
      try {
        await this.store.insertMany(batch);
        this.counters.written += batch.length;
        this.counters.batches++;
        this.attempts = 0;
        this.retryAt = 0;
      } catch (err) {
        this.attempts++;
        safely(() => this.onWriteError(err, batch.length));
        const room = this.queue.length < this.maxQueue;
        if (room && (!flushing || this.attempts < this.flushAttempts)) {
          this.retained = batch;
          const delay = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** (this.attempts - 1));
          if (!flushing) {
            this.retryAt = Date.now() + delay;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        this.counters.failed += batch.length;
        this.attempts = 0;
      }
    }
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A failing observer must not break the pipeline.
  }
}

function text(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? fallback : String(v);
}

function optionalText(v: unknown): string | null {
  return v === undefined || v === null ? null : String(v);
}

/** JSON-safe copy of `detail`, bounded in size; unserialisable values become their string form. */
function jsonDetail(detail: unknown): unknown {
  if (detail === undefined || detail === null) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(detail);
  } catch {
    json = undefined;
  }
  if (json === undefined) return String(detail);
  if (json.length > MAX_DETAIL_CHARS) return { truncated: true, preview: json.slice(0, MAX_DETAIL_CHARS) };
  return JSON.parse(json) as unknown;
}

let lastMs = 0;
let seq = 0;

/** UUIDv7: time-ordered, with a per-millisecond sequence, so `id` breaks `ts` ties in record() order. */
export function timeOrderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function toRow(e: AuditEntry): AuditRow {
  const ts = e.ts instanceof Date && !Number.isNaN(e.ts.getTime()) ? e.ts : new Date();
  return {
    id: timeOrderedId(),
    ts,
    actor: text(e.actor, 'unknown'),
    appId: optionalText(e.appId),
    action: text(e.action, 'unknown'),
    target: optionalText(e.target),
    result: text(e.result, 'unknown'),
    remoteAddr: optionalText(e.remoteAddr),
    detail: jsonDetail(e.detail),
  };
}
