import { isOkResult, type AuditRecordOut } from '@beacon/persistence';
import type { AdminStore } from './store.js';

export interface AuditFilter {
  actor?: string;
  appId?: string;
  action?: string;
  result?: string;
}

export function auditMatches(r: AuditRecordOut, f: AuditFilter): boolean {
  if (f.actor !== undefined && r.actor !== f.actor) return false;
  if (f.appId !== undefined && r.appId !== f.appId) return false;
  if (f.action !== undefined && r.action !== f.action) return false;
  if (f.result === 'ok') return isOkResult(r.result);
  if (f.result === 'refused') return !isOkResult(r.result);
  if (f.result !== undefined && r.result !== f.result) return false;
  return true;
}

type Listener = (r: AuditRecordOut) => void;

/**
 * New audit records, for the live audit stream: ONE poller per process reads what was written since the
 * last record it saw (ids are time-ordered), whoever wrote it (this process, the CLI, another node), and
 * hands each record to every open stream whose filter it matches. It polls only while a stream is open.
 */
export class AuditFeed {
  private readonly listeners = new Map<Listener, AuditFilter>();
  private timer: NodeJS.Timeout | undefined;
  private lastId: string | undefined;
  private polling = false;

  constructor(
    private readonly store: AdminStore,
    private readonly intervalMs: number,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Calls `listener` with each new record matching `filter`; returns the unsubscribe function. */
  async subscribe(filter: AuditFilter, listener: Listener): Promise<() => void> {
    if (this.listeners.size === 0) await this.start();
    this.listeners.set(listener, filter);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private async start(): Promise<void> {
    // from now on: the newest record so far is the starting point
    const newest = await this.store.audit.query({ limit: 1, order: 'id' });
    this.lastId = newest[0]?.id ?? '';
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads and hands out what is new (also called by tests to skip the interval). */
  async poll(): Promise<void> {
    if (this.polling || this.lastId === undefined) return;
    this.polling = true;
    try {
      for (let pages = 0; pages < 10; pages++) {
        const rows = await this.store.audit.query({ afterId: this.lastId, limit: 500 });
        for (const r of rows) {
          this.lastId = r.id;
          for (const [listener, filter] of this.listeners) if (auditMatches(r, filter)) listener(r);
        }
        if (rows.length < 500) break;
      }
    } catch {
      // the next tick tries again
    } finally {
      this.polling = false;
    }
  }
}
