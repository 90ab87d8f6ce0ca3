import { describe, expect, it } from 'vitest';
import { NodeSampler, type NodeCounters, type NodeSource } from './sampler.js';
import type { ProcessProbe } from './process-probe.js';

class FakeSource implements NodeSource {
  readonly nodeId = 'n1';
  readonly kind = 'single' as const;
  readonly address = '127.0.0.1:1';
  readonly startedAt = 0;
  c: NodeCounters = { deliveries: 0, deliveredBytes: 0, publishes: 0, closes: { '4008': 0 } };
  detailCalls = 0;
  counters(): NodeCounters {
    return structuredClone(this.c);
  }
  gauges() {
    return { connections: 7, subscriptions: 9, topics: 3 };
  }
  detail() {
    this.detailCalls++;
    return {
      apps: [],
      appsOmitted: 0,
      topBySubscribers: [{ appId: 'a', appKey: 'k', topic: 't', subscribers: 2, messagesPerSec: 1 }],
      topByRate: [],
    };
  }
}

const probe = (): ProcessProbe & { enabled: boolean } => {
  const p = {
    enabled: false,
    memory: () => ({ rssBytes: 100, heapUsedBytes: 50 }),
    loopP99Ms: () => (p.enabled ? 12.5 : 0),
    enable: (on: boolean) => {
      p.enabled = on;
    },
  };
  return p;
};

describe('NodeSampler', () => {
  it('turns counter differences into per-second rates over the real interval', () => {
    const src = new FakeSource();
    const s = new NodeSampler(src, probe());
    expect(s.sample(1000).deliveriesPerSec).toBe(0); // the first sample is the baseline
    src.c = { deliveries: 1000, deliveredBytes: 50_000, publishes: 10, closes: { '4008': 2 } };
    const snap = s.sample(3000); // two seconds later
    expect(snap).toMatchObject({
      intervalMs: 2000,
      deliveriesPerSec: 500,
      bytesOutPerSec: 25_000,
      publishesPerSec: 5,
      closesPerSec: { '4008': 1 },
      connections: 7,
      subscriptions: 9,
      topics: 3,
      rssBytes: 100,
    });
    src.c = { ...src.c, deliveries: 1000 };
    expect(s.sample(4000).closesPerSec).toEqual({}); // no closes: no entry
  });

  it('builds lists and reads the event loop only while detailed', () => {
    const src = new FakeSource();
    const p = probe();
    const s = new NodeSampler(src, p);
    const plain = s.sample(1000);
    expect(plain).toMatchObject({ detailed: false, topBySubscribers: [], eventLoopP99Ms: 0 });
    expect(src.detailCalls).toBe(0);
    s.detailed = true;
    expect(p.enabled).toBe(true);
    const rich = s.sample(2000);
    expect(rich.detailed).toBe(true);
    expect(rich.topBySubscribers).toHaveLength(1);
    expect(rich.eventLoopP99Ms).toBe(12.5);
    s.detailed = false;
    expect(p.enabled).toBe(false);
  });
});
