import type { AuditEntry, AuditRow } from './audit-log.js';
import { AUDIT_FIELD_LIMITS as L, clip, toRow } from './audit-row.js';

/** How a call is aggregated: successful data-plane calls are only counted; a refusal's first occurrence is written at once. */
export type TallyKind = 'success' | 'refusal';

interface Tally {
  kind: TallyKind;
  actor: string;
  appId: string | null;
  action: string;
  result: string;
  remoteAddr: string | null;
  target: string | null;
  /** More than one target was seen: the row gets none. */
  mixed: boolean;
  /** Calls not yet written (a refusal's first occurrence was written at once and is not in here). */
  count: number;
  firstTs: number;
  lastTs: number;
}

/** What add() did with a call. */
export type TallyOutcome = { write: AuditRow | null } | { dropped: true };

const OVERFLOW_ADDR = '\u0000*';

/**
 * Per-window aggregation of audit entries: one row per actor + app + action + result + source address per
 * window (windows aligned to multiples of `windowMs` of the wall clock), carrying the number of calls in
 * `count`. At most `maxKeys` keys per window; past that, calls fold into one key per actor + app + action +
 * result with no address (bounded by the apps and actions that exist), and past twice that they are dropped.
 */
export class AuditTally {
  private tallies = new Map<string, Tally>();
  private epoch: number;

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    now: number = Date.now(),
  ) {
    this.epoch = Math.floor(now / windowMs);
  }

  get size(): number {
    return this.tallies.size;
  }

  /** True once `now` is in a later window than the tallies held. */
  due(now: number): boolean {
    return Math.floor(now / this.windowMs) !== this.epoch && this.tallies.size > 0;
  }

  add(entry: AuditEntry, kind: TallyKind, now: number = Date.now()): TallyOutcome {
    const actor = clip(str(entry.actor, 'unknown'), L.actor);
    const appId = opt(entry.appId, L.appId);
    const action = clip(str(entry.action, 'unknown'), L.action);
    const result = clip(str(entry.result, 'unknown'), L.result);
    let remoteAddr = opt(entry.remoteAddr, L.remoteAddr);
    const target = opt(entry.target, L.target);
    const prefix = `${kind}\u0000${actor}\u0000${appId ?? ''}\u0000${action}\u0000${result}\u0000`;
    let key = prefix + (remoteAddr ?? '');
    let t = this.tallies.get(key);
    let overflow = false;
    if (t === undefined && this.tallies.size >= this.maxKeys) {
      overflow = true;
      remoteAddr = null;
      key = prefix + OVERFLOW_ADDR;
      t = this.tallies.get(key);
      if (t === undefined && this.tallies.size >= 2 * this.maxKeys) return { dropped: true };
    }
    if (t !== undefined) {
      // The row counts a refusal's repeats only: its target is the repeats' target.
      if (t.count === 0) {
        t.target = target;
        t.firstTs = now;
      } else if (!t.mixed && t.target !== target) t.mixed = true;
      t.count++;
      t.lastTs = now;
      return { write: null };
    }
    // A refusal's first occurrence in the window is written at once, in full; its repeats are counted.
    const writeNow = kind === 'refusal' && !overflow;
    const fresh: Tally = {
      kind,
      actor,
      appId,
      action,
      result,
      remoteAddr,
      target,
      mixed: false,
      count: writeNow ? 0 : 1,
      firstTs: now,
      lastTs: now,
    };
    this.tallies.set(key, fresh);
    return { write: writeNow ? toRow({ ...entry, ts: new Date(now) }) : null };
  }

  /** The rows of every key that counted calls since the last drain; starts a new window. */
  drain(now: number = Date.now()): AuditRow[] {
    const rows: AuditRow[] = [];
    for (const t of this.tallies.values()) {
      if (t.count === 0) continue;
      rows.push(
        toRow(
          {
            actor: t.actor,
            appId: t.appId,
            action: t.action,
            target: t.mixed ? null : t.target,
            result: t.result,
            remoteAddr: t.remoteAddr,
            ts: new Date(t.firstTs),
            detail: { aggregated: t.kind, until: new Date(t.lastTs).toISOString() },
          },
          t.count,
        ),
      );
    }
    this.tallies = new Map();
    this.epoch = Math.floor(now / this.windowMs);
    return rows;
  }
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? fallback : String(v);
}

function opt(v: unknown, max: number): string | null {
  return v === undefined || v === null ? null : clip(typeof v === 'string' ? v : String(v), max);
}
