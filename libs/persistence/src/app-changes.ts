import type { Db } from './prisma-client.js';

/** What happened to an app; consumers re-read the app rather than trusting the kind alone. */
export type AppChangeKind =
  'created' | 'updated' | 'disabled' | 'enabled' | 'deleted' | 'secret_rotated' | 'token_keys';

export interface AppChange {
  seq: number;
  appId: string;
  appKey: string;
  kind: AppChangeKind;
  at: Date;
}

export interface WatchOptions {
  /** How often to poll (ms): the bound on how late a process sees a change. */
  intervalMs: number;
  onChanges(changes: AppChange[]): void | Promise<void>;
  onError?(err: unknown): void;
  /** Rows older than this are pruned by the watchers (ms, default one hour). */
  retentionMs?: number;
}

/**
 * The app change feed: every AppsRepository mutation appends a row in its own transaction, and every process
 * that caches apps or holds connections polls it (one indexed query per interval), so a change made by any
 * process — the CLI, the admin API, another node — reaches every cache and open connection within about one
 * interval. Consumers reconcile (re-read the app) rather than apply deltas, so seeing a change twice is
 * harmless: the watcher re-reads a small window behind its high-water mark, because with PostgreSQL a
 * transaction can commit a lower sequence number after a higher one became visible.
 */
export class AppChangeFeed {
  constructor(
    private readonly db: Db,
    /** The probe as a synchronous SQLite statement (persistence.ts opens it for a SQLite database). */
    private readonly sqliteProbe?: (seq: number) => { count: number; max: number },
  ) {}

  async latestSeq(): Promise<number> {
    const row = await this.db.appChange.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    return row?.seq ?? 0;
  }

  async since(seq: number, limit = 500): Promise<AppChange[]> {
    const rows = await this.db.appChange.findMany({
      where: { seq: { gt: seq } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map((r) => ({ ...r, kind: r.kind as AppChangeKind }));
  }

  /**
   * How many changes there are after `seq`, and the highest: a poll asks this first and reads the rows
   * only when they differ from what it has seen. Almost every poll finds nothing, and Prisma's query work
   * (query compiler, statement preparation, result mapping) runs on the event loop: 1-5 ms of it per poll
   * in a CPU profile of the server under load. So the probe is one aggregate outside Prisma where the
   * provider allows: on SQLite a prepared statement on a read-only connection of its own (microseconds),
   * elsewhere one raw query (the same SQL; PostgreSQL's pool sets `search_path` to the schema).
   */
  async probe(seq: number): Promise<{ count: number; max: number }> {
    if (this.sqliteProbe !== undefined) return this.sqliteProbe(seq);
    const rows = await this.db.$queryRaw<Array<{ n: number | bigint; m: number | bigint | null }>>`
      SELECT COUNT(*) AS n, MAX(seq) AS m FROM app_changes WHERE seq > ${seq}`;
    const r = rows[0];
    return { count: Number(r?.n ?? 0), max: Number(r?.m ?? 0) };
  }

  async prune(before: Date): Promise<number> {
    return (await this.db.appChange.deleteMany({ where: { at: { lt: before } } })).count;
  }

  /** Starts polling from the current end of the feed (earlier changes are already in what the caller reads). */
  async watch(opts: WatchOptions): Promise<AppChangeWatcher> {
    const w = new AppChangeWatcher(this, opts, await this.latestSeq());
    w.start();
    return w;
  }
}

const LOOK_BACK = 32;
const PRUNE_EVERY_MS = 10 * 60_000;

export class AppChangeWatcher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly seen = new Set<number>();
  private lastPrune = Date.now();
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly feed: AppChangeFeed,
    private readonly opts: WatchOptions,
    private high: number,
  ) {}

  start(): void {
    this.schedule();
  }

  /** Polls now (tests and shutdown use it); resolves when the handler has run. */
  poll(): Promise<void> {
    this.running = this.running.then(() => this.tick());
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const from = Math.max(0, this.high - LOOK_BACK);
      if (await this.nothingNew(from)) return this.maybePrune();
      const rows = await this.feed.since(from);
      const fresh = rows.filter((r) => !this.seen.has(r.seq));
      for (const r of fresh) {
        this.seen.add(r.seq);
        if (r.seq > this.high) this.high = r.seq;
      }
      for (const s of this.seen) if (s <= this.high - LOOK_BACK) this.seen.delete(s);
      if (fresh.length > 0) await this.opts.onChanges(fresh);
      await this.maybePrune();
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  /** Whether every change after `from` is one this watcher has seen (then the rows need not be read). */
  private async nothingNew(from: number): Promise<boolean> {
    const { count, max } = await this.feed.probe(from);
    let seen = 0;
    for (const s of this.seen) if (s > from) seen++;
    return count === seen && max <= this.high;
  }

  private async maybePrune(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune <= PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await this.feed.prune(new Date(now - (this.opts.retentionMs ?? 3_600_000)));
  }
}

export interface AppChangeConsumers {
  intervalMs: number;
  /** Drops every cached secret check (the push API's authenticator). */
  invalidate?: () => void;
  /** Reconciles one app's open connections (the gateway); returns how many it closed. */
  reconcile?: (appId: string, appKey: string) => Promise<number>;
  log: { log(message: string): void; warn(message: string): void };
}

/** What every process does with the feed: invalidate caches, then reconcile each changed app once. */
export function watchApps(feed: AppChangeFeed, c: AppChangeConsumers): Promise<AppChangeWatcher> {
  return feed.watch({
    intervalMs: c.intervalMs,
    async onChanges(changes) {
      c.invalidate?.();
      if (c.reconcile === undefined) return;
      for (const [appId, appKey] of new Map(changes.map((ch) => [ch.appId, ch.appKey]))) {
        const closed = await c.reconcile(appId, appKey);
        if (closed > 0) c.log.log(`app ${appKey} changed: closed ${closed} connection(s)`);
      }
    },
    onError: (err) => c.log.warn(`app change feed: ${err instanceof Error ? err.message : String(err)}`),
  });
}
