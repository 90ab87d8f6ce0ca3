import { describe, expect, it } from 'vitest';
import { LocalLiveStats } from './local-live-stats.js';
import { NodeSampler, type NodeCounters, type NodeSource } from './sampler.js';
import type { StatsClock } from './timers.js';

class FakeClock implements StatsClock {
  t = 0;
  private timers: Array<{ ms: number; next: number; fn: () => void }> = [];
  now = (): number => this.t;
  every(ms: number, fn: () => void): () => void {
    const timer = { ms, next: this.t + ms, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((x) => x !== timer));
  }
  after(): () => void {
    return () => undefined;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (due === undefined) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.t = end;
  }
}

class CountingSource implements NodeSource {
  readonly nodeId = 'n';
  readonly kind = 'single' as const;
  readonly address = '';
  readonly startedAt = 0;
  deliveries = 0;
  details = 0;
  counters(): NodeCounters {
    return { deliveries: this.deliveries, deliveredBytes: 0, publishes: 0, closes: {} };
  }
  gauges() {
    return { connections: 1, subscriptions: 0, topics: 0 };
  }
  detail() {
    this.details++;
    return { apps: [], appsOmitted: 0, topBySubscribers: [], topByRate: [] };
  }
}

const probe = {
  memory: () => ({ rssBytes: 0, heapUsedBytes: 0 }),
  loopP99Ms: () => 0,
  enable: () => undefined,
};

describe('LocalLiveStats', () => {
  it('fills the ring every second with nobody watching, detailed only while someone is subscribed', () => {
    const clock = new FakeClock();
    const src = new CountingSource();
    const live = new LocalLiveStats(new NodeSampler(src, probe), clock);
    live.start();
    for (let i = 0; i < 5; i++) {
      src.deliveries += 100;
      clock.advance(1000);
    }
    expect(live.history().deliveriesPerSec).toEqual([100, 100, 100, 100, 100]);
    expect(src.details).toBe(0);

    const seen: number[] = [];
    const a = live.subscribe((s) => seen.push(s.totals.deliveriesPerSec));
    const b = live.subscribe(() => undefined);
    src.deliveries += 300;
    clock.advance(1000);
    expect(seen).toEqual([300]);
    expect(src.details).toBe(1); // one pass for both viewers
    a();
    clock.advance(1000);
    expect(src.details).toBe(2); // b still watches
    b();
    clock.advance(1000);
    expect(src.details).toBe(2);
    expect(live.history().ts).toHaveLength(8);
    live.stop();
  });
});
