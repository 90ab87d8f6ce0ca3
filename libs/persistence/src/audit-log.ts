import { toRow } from './audit-row.js';
import { AuditTally, type TallyKind } from './audit-tally.js';

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
  /** Calls counted into aggregated rows instead of a row each (tally(), and the repeats of refusal()). */
  aggregated: number;
}

export interface AuditQuery {
  appId?: string;
  action?: string;
  actor?: string;
  /** `ok` (ok or 2xx), `refused` (anything else), or an exact result such as `401 invalid_key`. */
  result?: string;
  limit?: number;
  /** Records strictly older than this time. */
  before?: Date;
  /** Time range, inclusive. */
  from?: Date;
  to?: Date;
  /** Keyset paging, newest first: records after this one (older ts, or the same ts and a smaller id). */
  cursor?: { ts: Date; id: string };
  /** Records written after this id (ids are time-ordered), OLDEST first: what a live stream polls. */
  afterId?: string;
  /**
   * `id`: newest WRITTEN first (ids are time-ordered at write time), rather than by `ts` (an aggregated row's
   * ts is its window's start). A live stream starts from the newest id.
   */
  order?: 'ts' | 'id';
}

/** Whether a result counts as a success for the `ok` / `refused` filters. */
export function isOkResult(result: string): boolean {
  return result === 'ok' || /^2\d\d(\s|$)/.test(result);
}

/** A stored record; `count` is the number of calls it stands for (1 unless aggregated). */
export type AuditRecordOut = AuditEntry & { id: string; ts: Date; count: number };

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
  /** Calls this row stands for: 1, or more for an aggregated row. */
  count: number;
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
  /** Aggregation window of tally() and refusal(), ms (windows are aligned to the wall clock). */
  windowMs?: number;
  /** Distinct aggregation keys per window before calls fold into one key per actor, app, action and result. */
  maxTallies?: number;
}

const MAX_BACKOFF_MS = 5_000;
export const AUDIT_QUERY_DEFAULT_LIMIT = 100;
export const AUDIT_QUERY_MAX_LIMIT = 1000;

/**
 * Bounded, batched audit pipeline. record() only enqueues (never awaits the database, never throws); a timer
 * and a full batch trigger createMany writes. Every field is bounded (AUDIT_FIELD_LIMITS) here, whoever the
 * caller. tally() and refusal() aggregate per window (AuditTally): one row per actor, app, action, result and
 * source with a `count`; a refusal's first occurrence in a window is written at once. A failed batch is retried with exponential backoff while the queue
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
  private readonly counters = { written: 0, dropped: 0, failed: 0, batches: 0, aggregated: 0 };
  private readonly tallies: AuditTally;

  constructor(
    private readonly store: AuditStore,
    opts: AuditLogOptions = {},
  ) {
    this.maxQueue = Math.max(1, opts.maxQueue ?? 10_000);
    this.batchSize = Math.max(1, opts.batchSize ?? 500);
    this.retryBaseMs = Math.max(0, opts.retryBaseMs ?? 100);
    this.flushAttempts = Math.max(1, opts.flushAttempts ?? 3);
    this.onWriteError = opts.onWriteError ?? (() => undefined);
    this.tallies = new AuditTally(
      Math.max(1, opts.windowMs ?? 60_000),
      Math.max(1, opts.maxTallies ?? 10_000),
    );
    this.timer = setInterval(() => this.tick(), Math.max(1, opts.flushIntervalMs ?? 200));
    this.timer.unref();
  }

  /** One row for this entry (changes, and anything that must stand alone). */
  record(entry: AuditEntry): void {
    try {
      if (this.closed) {
        this.counters.dropped++;
        return;
      }
      this.enqueue(toRow(entry));
    } catch {
      this.counters.dropped++;
    }
  }

  /** A successful data-plane call: counted into its window's row, written when the window ends. */
  tally(entry: AuditEntry): void {
    this.aggregate(entry, 'success');
  }

  /** A refused call: written at once the first time in a window, its repeats counted into one row. */
  refusal(entry: AuditEntry): void {
    this.aggregate(entry, 'refusal');
  }

  private aggregate(entry: AuditEntry, kind: TallyKind): void {
    try {
      if (this.closed) {
        this.counters.dropped++;
        return;
      }
      const out = this.tallies.add(entry, kind);
      if ('dropped' in out) this.counters.dropped++;
      else if (out.write !== null) this.enqueue(out.write);
      else this.counters.aggregated++;
    } catch {
      this.counters.dropped++;
    }
  }

  private enqueue(row: AuditRow): void {
    if (this.queue.length >= this.maxQueue) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(row);
    if (this.queue.length >= this.batchSize) this.kick();
  }

  /** Ends the aggregation window: its rows join the queue. */
  private closeWindow(): void {
    for (const row of this.tallies.drain()) this.enqueue(row);
  }

  private tick(): void {
    if (this.tallies.due(Date.now())) this.closeWindow();
    this.kick();
  }

  stats(): AuditStats {
    return { queued: this.queue.length + (this.retained?.length ?? 0), ...this.counters };
  }

  /**
   * Writes everything recorded so far, ending the current aggregation window; batches that still fail after
   * `flushAttempts` are counted as failed.
   */
  async flush(): Promise<void> {
    this.closeWindow();
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

  /** Stops the timer, refuses new entries and flushes (aggregated rows included). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closeWindow();
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
