import { describe, expect, it } from 'vitest';
import { aggregate } from './aggregator.js';
import type { NodeSnapshot } from './node-snapshot.js';

const node = (id: string, over: Partial<NodeSnapshot> = {}): NodeSnapshot => ({
  nodeId: id,
  kind: 'gateway',
  address: '',
  startedAt: 0,
  ts: 10_000,
  intervalMs: 1000,
  connections: 10,
  subscriptions: 20,
  topics: 5,
  rssBytes: 1,
  heapUsedBytes: 1,
  eventLoopP99Ms: 1,
  deliveriesPerSec: 100,
  publishesPerSec: 3,
  bytesOutPerSec: 1000,
  closesPerSec: { '4008': 1 },
  detailed: true,
  apps: [
    {
      appId: 'a',
      appKey: 'ka',
      connections: 10,
      subscriptions: 20,
      topics: 5,
      publishesPerSec: 3,
      deliveriesPerSec: 100,
    },
  ],
  appsOmitted: 0,
  topBySubscribers: [{ appId: 'a', appKey: 'ka', topic: 'shared', subscribers: 6, messagesPerSec: 2 }],
  topByRate: [{ appId: 'a', appKey: 'ka', topic: `hot-${id}`, subscribers: 1, messagesPerSec: 9 }],
  ...over,
});

describe('aggregate', () => {
  it('sums nodes, merges topics across gateways and takes the cluster totals it is given', () => {
    const s = aggregate([node('g1'), node('g2', { ts: 5_000 })], {
      ts: 10_000,
      staleAfterMs: 3_000,
      totals: { publishesPerSec: 4, topics: 8 },
    });
    expect(s.totals).toEqual({
      nodes: 2,
      connections: 20,
      subscriptions: 40,
      topics: 8,
      deliveriesPerSec: 200,
      publishesPerSec: 4,
      bytesOutPerSec: 2000,
    });
    expect(s.nodes.map((n) => [n.id, n.status])).toEqual([
      ['g1', 'up'],
      ['g2', 'degraded'],
    ]);
    expect(s.closesPerSec).toEqual({ '4008': 2 });
    expect(s.apps).toEqual([
      {
        appId: 'a',
        appKey: 'ka',
        connections: 20,
        subscriptions: 40,
        topics: 5,
        publishesPerSec: 3,
        deliveriesPerSec: 200,
      },
    ]);
    // subscribers add up across gateways, the rate is the greatest one gateway saw
    expect(s.topTopics.bySubscribers[0]).toEqual({
      appId: 'a',
      appKey: 'ka',
      topic: 'shared',
      subscribers: 12,
      messagesPerSec: 2,
    });
    expect(s.topTopics.byRate.map((t) => t.topic)).toEqual(['hot-g1', 'hot-g2', 'shared']);
  });

  it('stays bounded: at most 10 topics per list and 20 apps, whatever the nodes send', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      node(`g${i}`, {
        apps: [
          {
            appId: `app${i}`,
            appKey: `k${i}`,
            connections: i,
            subscriptions: 0,
            topics: 0,
            publishesPerSec: 0,
            deliveriesPerSec: 0,
          },
        ],
        topBySubscribers: [{ appId: 'a', appKey: 'ka', topic: `t${i}`, subscribers: i, messagesPerSec: 0 }],
        topByRate: [],
      }),
    );
    const s = aggregate(many, { ts: 10_000 });
    expect(s.topTopics.bySubscribers).toHaveLength(10);
    expect(s.topTopics.bySubscribers[0]?.topic).toBe('t49');
    expect(s.apps).toHaveLength(20);
    expect(s.appsOmitted).toBe(30);
  });
});
