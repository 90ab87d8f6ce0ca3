import type { StatsHistory, StatsSnapshot } from '@beacon/admin-api';

/** 15 minutes of one-second samples. */
export const HISTORY_SAMPLES = 900;

/**
 * The history ring: the last `capacity` samples' chart columns (totals and closes by code), oldest
 * first. Fixed memory: numeric columns of `capacity` entries; a close code's column exists while one
 * of its values is in the ring (the codes are a closed set, so the count of columns is bounded).
 */
export class StatsRing {
  private readonly ts: Float64Array;
  private readonly deliveries: Float64Array;
  private readonly publishes: Float64Array;
  private readonly connections: Float64Array;
  private readonly bytesOut: Float64Array;
  private readonly closes = new Map<string, { values: Float64Array; last: number }>();
  private head = 0;
  private length = 0;
  /** Samples ever pushed: `written - 1` is the newest's sequence number. */
  private written = 0;

  constructor(
    readonly intervalMs = 1000,
    readonly capacity = HISTORY_SAMPLES,
  ) {
    this.ts = new Float64Array(capacity);
    this.deliveries = new Float64Array(capacity);
    this.publishes = new Float64Array(capacity);
    this.connections = new Float64Array(capacity);
    this.bytesOut = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  push(s: Pick<StatsSnapshot, 'ts' | 'totals' | 'closesPerSec'>): void {
    const i = this.head;
    this.ts[i] = s.ts;
    this.deliveries[i] = s.totals.deliveriesPerSec;
    this.publishes[i] = s.totals.publishesPerSec;
    this.connections[i] = s.totals.connections;
    this.bytesOut[i] = s.totals.bytesOutPerSec;
    for (const [code, col] of this.closes) {
      col.values[i] = 0;
      // A column whose last non-zero value left the ring goes.
      if (this.written - col.last >= this.capacity) this.closes.delete(code);
    }
    for (const [code, v] of Object.entries(s.closesPerSec)) {
      if (v === 0) continue;
      let col = this.closes.get(code);
      if (col === undefined)
        this.closes.set(code, (col = { values: new Float64Array(this.capacity), last: 0 }));
      col.values[i] = v;
      col.last = this.written;
    }
    this.head = (i + 1) % this.capacity;
    this.length = Math.min(this.capacity, this.length + 1);
    this.written++;
  }

  /** Replaces the contents with a history received from elsewhere (the topic-service's ring). */
  load(h: StatsHistory): void {
    this.head = 0;
    this.length = 0;
    this.written = 0;
    this.closes.clear();
    const from = Math.max(0, h.ts.length - this.capacity);
    for (let k = from; k < h.ts.length; k++) {
      const closesPerSec: Record<string, number> = {};
      for (const [code, col] of Object.entries(h.closesPerSec)) closesPerSec[code] = col[k] ?? 0;
      this.push({
        ts: h.ts[k] ?? 0,
        totals: {
          nodes: 0,
          connections: h.connections[k] ?? 0,
          subscriptions: 0,
          topics: 0,
          deliveriesPerSec: h.deliveriesPerSec[k] ?? 0,
          publishesPerSec: h.publishesPerSec[k] ?? 0,
          bytesOutPerSec: h.bytesOutPerSec[k] ?? 0,
        },
        closesPerSec,
      });
    }
  }

  history(): StatsHistory {
    const column = (a: Float64Array): number[] => {
      const out = new Array<number>(this.length);
      const start = (this.head - this.length + this.capacity) % this.capacity;
      for (let k = 0; k < this.length; k++) out[k] = a[(start + k) % this.capacity] as number;
      return out;
    };
    const closesPerSec: Record<string, number[]> = {};
    for (const [code, col] of this.closes) closesPerSec[code] = column(col.values);
    return {
      intervalMs: this.intervalMs,
      ts: column(this.ts),
      deliveriesPerSec: column(this.deliveries),
      publishesPerSec: column(this.publishes),
      connections: column(this.connections),
      bytesOutPerSec: column(this.bytesOut),
      closesPerSec,
    };
  }
}
