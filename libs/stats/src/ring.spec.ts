import { describe, expect, it } from 'vitest';
import { StatsRing } from './ring.js';

const totals = (d: number) => ({
  nodes: 1,
  connections: d * 10,
  subscriptions: 0,
  topics: 0,
  deliveriesPerSec: d,
  publishesPerSec: d / 2,
  bytesOutPerSec: d * 100,
});

describe('StatsRing', () => {
  it('keeps the last `capacity` samples oldest first, closes column-wise aligned with ts', () => {
    const ring = new StatsRing(1000, 3);
    for (let i = 1; i <= 5; i++) {
      ring.push({ ts: i * 1000, totals: totals(i), closesPerSec: i === 4 ? { '4008': 2 } : {} });
    }
    const h = ring.history();
    expect(h.ts).toEqual([3000, 4000, 5000]);
    expect(h.deliveriesPerSec).toEqual([3, 4, 5]);
    expect(h.publishesPerSec).toEqual([1.5, 2, 2.5]);
    expect(h.connections).toEqual([30, 40, 50]);
    expect(h.bytesOutPerSec).toEqual([300, 400, 500]);
    expect(h.closesPerSec).toEqual({ '4008': [0, 2, 0] });
  });

  it('drops a close code once its last non-zero value leaves the ring', () => {
    const ring = new StatsRing(1000, 2);
    ring.push({ ts: 1, totals: totals(1), closesPerSec: { '4029': 1 } });
    ring.push({ ts: 2, totals: totals(1), closesPerSec: {} });
    expect(Object.keys(ring.history().closesPerSec)).toEqual(['4029']);
    ring.push({ ts: 3, totals: totals(1), closesPerSec: {} });
    expect(ring.history().closesPerSec).toEqual({});
  });

  it('loads a history received from elsewhere', () => {
    const a = new StatsRing(1000, 10);
    for (let i = 1; i <= 4; i++) a.push({ ts: i, totals: totals(i), closesPerSec: { '1001': i } });
    const b = new StatsRing(1000, 10);
    b.load(a.history());
    expect(b.history()).toEqual(a.history());
  });
});
