import { MetricsRegistry } from '@beacon/metrics';
import type { GatewayNode, InterestListener, Outbound, Target } from '@beacon/routing';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterUnavailable, GatewayLink } from './gateway-link.js';

class FakeNode implements GatewayNode {
  readonly nodeId = 'node1';
  readonly delivered: Array<[Target, Outbound]> = [];
  listener: InterestListener | undefined;
  deliver(target: Target, m: Outbound): number {
    this.delivered.push([target, m]);
    return 1;
  }
  disconnect(): number {
    return 0;
  }
  topicSubscribers(): number {
    return 0;
  }
  *topics() {}
  presence(): number {
    return 0;
  }
  connectionCount(): number {
    return 0;
  }
  interest() {
    return { topics: [], users: [] };
  }
  watchInterest(l: InterestListener | undefined): void {
    this.listener = l;
  }
}

let node: FakeNode;
let link: GatewayLink | undefined;
afterEach(() => link?.detach(node));

describe('GatewayLink while the topic-service is unreachable', () => {
  it('delivers locally, buffers cross-node publishes up to the bound, then refuses with a counter', async () => {
    node = new FakeNode();
    const metrics = new MetricsRegistry();
    // Port 9 on loopback: nothing listens, every attach fails.
    link = new GatewayLink(
      { topicServiceUrl: '127.0.0.1:9', nodeId: 'node1', maxBufferedPublishes: 2 },
      metrics,
    );
    link.attach(node);
    expect(node.listener).toBe(link);

    const r1 = await link.publish('app', ['a'], '1');
    await link.publish('app', ['b'], '2');
    expect(r1.id).toMatch(/^mnode1\./);
    expect(node.delivered.map(([t]) => t)).toEqual([
      { kind: 'topic', topic: 'a' },
      { kind: 'topic', topic: 'b' },
    ]);
    expect(metrics.snapshot().beacon_cluster_publishes_buffered).toBe(2);

    await expect(link.publish('app', ['c'], '3')).rejects.toBeInstanceOf(ClusterUnavailable);
    expect(node.delivered).toHaveLength(2); // refused before anything was delivered
    expect(metrics.snapshot().beacon_cluster_publishes_refused_total).toBe(1);
    expect(metrics.snapshot().beacon_cluster_attached).toBe(0);
  });
});
