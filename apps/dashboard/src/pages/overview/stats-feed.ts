import type { StatsHistory, StatsSnapshot } from '@beacon/admin-api';

/** The charts' window: the server's ring is about this long too. */
export const WINDOW_SEC = 15 * 60;

export type SeriesKind = 'deliveries' | 'publishes' | 'connections' | 'bytesOut';

/** uPlot's column-wise data: x (seconds) then one array per series. */
export type Columns = [number[], ...Array<Array<number | null>>];

/**
 * The overview's live state outside React: the last snapshot for the tables, and column-wise samples of the
 * last 15 minutes for the charts, seeded from the stream's `history` event and extended by each `snapshot`.
 * Charts read it in their own subscription and call uPlot's `setData`, so a snapshot re-renders only the
 * tables, never the charts. Arrays are reused between samples (no per-sample allocation beyond a push).
 */
export class StatsFeed {
  private readonly x: number[] = [];
  private readonly cols: Record<SeriesKind, number[]> = {
    deliveries: [],
    publishes: [],
    connections: [],
    bytesOut: [],
  };
  /** close code (or refusal reason) → per-sample rate, aligned with x */
  private readonly closes = new Map<string, Array<number | null>>();
  private latest: StatsSnapshot | null = null;
  private closeShape = '';
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getLatest = (): StatsSnapshot | null => this.latest;

  /** Changes only when a close code appears or leaves the window (the closes chart is rebuilt then). */
  readonly getCloseShape = (): string => this.closeShape;

  readonly applyHistory = (h: StatsHistory): void => {
    this.x.length = 0;
    for (const k of Object.keys(this.cols) as SeriesKind[]) this.cols[k].length = 0;
    this.closes.clear();
    const n = h.ts.length;
    for (let i = 0; i < n; i++) {
      this.x.push((h.ts[i] ?? 0) / 1000);
      this.cols.deliveries.push(h.deliveriesPerSec[i] ?? 0);
      this.cols.publishes.push(h.publishesPerSec[i] ?? 0);
      this.cols.connections.push(h.connections[i] ?? 0);
      this.cols.bytesOut.push(h.bytesOutPerSec[i] ?? 0);
    }
    for (const [code, values] of Object.entries(h.closesPerSec)) {
      const col: Array<number | null> = [];
      for (let i = 0; i < n; i++) col.push(values[i] ?? 0);
      this.closes.set(code, col);
    }
    this.trim();
    this.emit();
  };

  readonly applySnapshot = (s: StatsSnapshot): void => {
    const t = s.ts / 1000;
    const last = this.x.at(-1);
    if (last !== undefined && t <= last) {
      this.latest = s; // a repeated sample (reconnect) updates the tables, not the series
      this.emit();
      return;
    }
    this.x.push(t);
    this.cols.deliveries.push(s.totals.deliveriesPerSec);
    this.cols.publishes.push(s.totals.publishesPerSec);
    this.cols.connections.push(s.totals.connections);
    this.cols.bytesOut.push(s.totals.bytesOutPerSec);
    for (const [code, col] of this.closes) col.push(s.closesPerSec[code] ?? 0);
    for (const [code, v] of Object.entries(s.closesPerSec)) {
      if (this.closes.has(code)) continue;
      const col: Array<number | null> = new Array<number | null>(this.x.length - 1).fill(0);
      col.push(v);
      this.closes.set(code, col);
    }
    this.latest = s;
    this.trim();
    this.emit();
  };

  /** Data for one of the totals charts. */
  series(kind: SeriesKind): Columns {
    return [this.x, this.cols[kind]];
  }

  closeCodes(): string[] {
    return [...this.closes.keys()].sort();
  }

  /** Data for the closes chart, one series per code in `closeCodes()` order. */
  closeSeries(): Columns {
    return [this.x, ...this.closeCodes().map((c) => this.closes.get(c) ?? [])];
  }

  get length(): number {
    return this.x.length;
  }

  private trim(): void {
    const newest = this.x.at(-1);
    if (newest === undefined) return;
    let drop = 0;
    while (drop < this.x.length && (this.x[drop] ?? 0) <= newest - WINDOW_SEC) drop++;
    if (drop > 0) {
      this.x.splice(0, drop);
      for (const k of Object.keys(this.cols) as SeriesKind[]) this.cols[k].splice(0, drop);
      for (const col of this.closes.values()) col.splice(0, drop);
    }
    // a code silent for the whole window leaves the chart
    for (const [code, col] of this.closes)
      if (col.every((v) => v === 0 || v === null)) this.closes.delete(code);
    this.closeShape = this.closeCodes().join(',');
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
