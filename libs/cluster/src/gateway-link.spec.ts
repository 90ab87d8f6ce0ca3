import * as grpc from '@grpc/grpc-js';
import { cluster } from '@beacon/contracts';
import { MetricsRegistry } from '@beacon/metrics';
import { CLOSE_REASONS, type CloseCode } from '@beacon/protocol';
import type { GatewayNode, InterestListener, NodeStats, Outbound, Target } from '@beacon/routing';
import { afterEach, describe, expect, it } from 'vitest';
import { StallProxy } from '../../../test/support/stall-proxy.js';
import { waitUntil } from '../../../test/support/wait.js';
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
  deliverPresence(): number {
    return 0;
  }
  counts: NodeStats = {
    connections: 0,
    subscriptions: 0,
    topics: 0,
    deliveries: 0,
    deliveredBytes: 0,
    messagesRouted: 0,
    clientCloses: 0,
    serverCloses: Object.fromEntries(Object.keys(CLOSE_REASONS).map((c) => [c, 0])) as Record<
      CloseCode,
      number
    >,
  };
  stats(): NodeStats {
    return this.counts;
  }
}

/** A topic-service that answers `registered` and records what each Attach stream carries. */
class FakeTopicService {
  readonly received: cluster.GatewayMessage[] = [];
  heartbeatIntervalMs = 60_000;
  /** Answers what a topic-service would (published, replayed, joined); nothing by default. */
  answer: (m: cluster.GatewayMessage) => cluster.RouterMessage | undefined = () => undefined;
  private readonly server = new grpc.Server();
  port = 0;

  async start(): Promise<void> {
    this.server.addService(cluster.TopicServiceService, {
      attach: (call: grpc.ServerDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>) => {
        call.on('data', (m: cluster.GatewayMessage) => {
          this.received.push(m);
          if (m.register)
            call.write({
              registered: { heartbeatIntervalMs: this.heartbeatIntervalMs, livenessTimeoutMs: 120_000 },
            });
          const reply = this.answer(m);
          if (reply !== undefined) call.write(reply);
        });
        call.on('error', () => undefined);
      },
    } as unknown as grpc.UntypedServiceImplementation);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
  }

  publishes(): cluster.Message[] {
    return this.received.flatMap((m) => (m.publish ? [m.publish] : []));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

let node: FakeNode;
let link: GatewayLink | undefined;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  link?.detach(node);
  link = undefined;
  for (const f of cleanup.splice(0)) await f();
});

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

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

  it('bounds the buffer in bytes too', async () => {
    node = new FakeNode();
    const metrics = new MetricsRegistry();
    link = new GatewayLink(
      {
        topicServiceUrl: '127.0.0.1:9',
        nodeId: 'node1',
        maxBufferedPublishes: 1000,
        maxBufferedBytes: 64 * 1024,
      },
      metrics,
    );
    link.attach(node);
    const big = JSON.stringify('x'.repeat(20_000));
    for (let i = 0; i < 3; i++) await link.publish('app', ['a'], big);
    await expect(link.publish('app', ['a'], big)).rejects.toBeInstanceOf(ClusterUnavailable);
    expect(metrics.snapshot().beacon_cluster_publishes_buffered).toBe(3);
    expect(metrics.snapshot().beacon_cluster_publishes_buffered_bytes).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('GatewayLink on a real Attach stream', () => {
  async function attached(opts: { maxBufferedPublishes?: number; maxBufferedBytes?: number } = {}) {
    const ts = new FakeTopicService();
    await ts.start();
    const proxy = await StallProxy.start({ host: '127.0.0.1', port: ts.port });
    cleanup.push(
      () => proxy.close(),
      () => ts.stop(),
    );
    node = new FakeNode();
    const metrics = new MetricsRegistry();
    link = new GatewayLink({ topicServiceUrl: proxy.address, nodeId: 'node1', ...opts }, metrics);
    link.attach(node);
    await waitUntil(() => link?.isAttached === true);
    return { ts, proxy, metrics, link };
  }

  it('a client publish to 100 topics is one stream message naming all of them', async () => {
    const { ts, metrics, link } = await attached();
    const topics = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const receipt = await link.publish('app', topics, '{"n":1}');
    await waitUntil(() => ts.publishes().length > 0);
    await link.publish('app', ['marker'], '{"n":2}');
    await waitUntil(() => ts.publishes().some((m) => m.target?.topic === 'marker'));
    const [first, marker, ...rest] = ts.publishes();
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ appId: 'app', topics, id: receipt.id });
    expect(first?.target).toBeUndefined();
    expect(marker).toMatchObject({ target: { topic: 'marker' }, topics: [] });
    expect(node.delivered).toHaveLength(101); // delivered locally once per topic
    expect(metrics.snapshot().beacon_cluster_publishes_sent_total).toBe(2);
  });

  it('a stream that stops draining: the queue stops at its bound, refusals are counted, and it drains again', async () => {
    const maxBytes = 256 * 1024;
    const { ts, proxy, metrics, link } = await attached({
      maxBufferedPublishes: 1000,
      maxBufferedBytes: maxBytes,
    });
    const big = JSON.stringify('x'.repeat(20_000));
    const snap = () => metrics.snapshot();

    // While the topic-service reads, far more than the bound passes through (paced by the stream).
    for (let i = 0; i < 100; i++) {
      await link.publish('app', ['a'], big);
      if (i % 8 === 7) await waitUntil(() => snap().beacon_cluster_publishes_buffered === 0);
    }
    await waitUntil(() => ts.publishes().length === 100);
    expect(snap().beacon_cluster_publishes_refused_total).toBe(0);

    proxy.stall('toServer');
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 2000 && refused < 50; i++) {
      await link.publish('app', ['a'], big).then(
        () => accepted++,
        (err: unknown) => {
          expect(err).toBeInstanceOf(ClusterUnavailable);
          refused++;
        },
      );
      expect(snap().beacon_cluster_publishes_buffered_bytes).toBeLessThanOrEqual(maxBytes);
      await turn(); // let the stream write whatever the transport takes
    }
    expect(refused).toBe(50);
    expect(snap().beacon_cluster_publishes_refused_total).toBe(50);
    expect(accepted).toBeLessThan(2000 - 50);
    // Interest changes while stalled are held, coalesced, not queued per change.
    for (let n = 1; n <= 100; n++) node.listener?.topicInterest('app', 'held', n);
    await turn();

    proxy.resume();
    await waitUntil(() => ts.publishes().length === 100 + accepted, 10_000);
    await waitUntil(() => ts.received.some((m) => m.delta?.topics.some((e) => e.key === 'held')));
    const heldDeltas = ts.received.filter((m) => m.delta?.topics.some((e) => e.key === 'held'));
    expect(heldDeltas.map((m) => m.delta?.topics)).toEqual([[{ appId: 'app', key: 'held', count: 100 }]]);
    await waitUntil(() => snap().beacon_cluster_publishes_buffered === 0);
    await link.publish('app', ['a'], big);
    await waitUntil(() => ts.publishes().length === 101 + accepted);
  });
});

describe('GatewayLink: history and presence through the topic-service', () => {
  async function attached() {
    const ts = new FakeTopicService();
    await ts.start();
    cleanup.push(() => ts.stop());
    ts.answer = (m) => {
      if (m.replay)
        return {
          replayed: {
            requestId: m.replay.requestId,
            reply: { messages: [], position: { offset: 7, epoch: 'e1' }, recovered: true },
            more: false,
          },
        };
      if (m.join) return { joined: { requestId: m.join.requestId, result: 'joined' } };
      if (m.publish?.requestId)
        return {
          published: {
            requestId: m.publish.requestId,
            positions: [{ topic: 'h.t', offset: 8, epoch: 'e1' }],
          },
        };
      return undefined;
    };
    node = new FakeNode();
    link = new GatewayLink(
      { topicServiceUrl: `127.0.0.1:${ts.port}`, nodeId: 'node1' },
      new MetricsRegistry(),
    );
    link.attach(node);
    await waitUntil(() => link?.isAttached === true);
    return { ts, link };
  }

  it('a subscribe’s replay goes on the stream right behind its interest change', async () => {
    const { ts, link } = await attached();
    node.listener?.topicInterest('app', 'h.t', 1);
    const read = await link.history('app', 'h.t', { since: { offset: 3, epoch: 'e1' }, limit: 100 });
    expect(read).toEqual({ messages: [], position: { offset: 7, epoch: 'e1' }, recovered: true });
    const kinds = ts.received.filter((m) => m.delta || m.replay);
    expect(kinds[0]?.delta?.topics).toEqual([{ appId: 'app', key: 'h.t', count: 1 }]);
    expect(kinds[1]?.replay).toMatchObject({ appId: 'app', topic: 'h.t', since: { offset: 3, epoch: 'e1' } });
  });

  it('a client publish is delivered here only for its topics without history; the receipt has the positions', async () => {
    const { ts, link } = await attached();
    const rule = { size: 10, ttlMs: 1000 };
    const receipt = await link.publish('app', ['h.t', 'plain'], '1', { history: [rule, null] });
    expect(receipt.positions).toEqual({ 'h.t': { offset: 8, epoch: 'e1' } });
    expect(node.delivered.map(([t]) => t)).toEqual([{ kind: 'topic', topic: 'plain' }]);
    expect(ts.publishes()[0]).toMatchObject({
      topics: ['h.t', 'plain'],
      history: [{ topic: 'h.t', size: 10 }],
    });
  });

  it('joins are asked on the stream, leaves follow; both are refused while detached', async () => {
    const { ts, link } = await attached();
    const member = { clientId: 'cnode1.1', userId: 'u', info: { a: 1 } };
    expect(await link.presenceJoin('app', 'room', member, 'node1', 10)).toBe('joined');
    link.presenceLeave('app', 'room', 'cnode1.1');
    await waitUntil(() => ts.received.some((m) => m.leaves));
    expect(ts.received.find((m) => m.join)?.join).toMatchObject({
      member: { clientId: 'cnode1.1', userId: 'u', infoJson: '{"a":1}' },
      limit: 10,
    });
    expect(ts.received.find((m) => m.leaves)?.leaves?.leaves).toEqual([
      { appId: 'app', topic: 'room', clientId: 'cnode1.1' },
    ]);

    const offline = new GatewayLink({ topicServiceUrl: '127.0.0.1:9', nodeId: 'n2' }, new MetricsRegistry());
    const alone = new FakeNode();
    offline.attach(alone);
    cleanup.push(() => offline.detach(alone));
    await expect(offline.presenceJoin('app', 'room', member, 'n2', 10)).rejects.toBeInstanceOf(
      ClusterUnavailable,
    );
    await expect(offline.history('app', 'h.t', { limit: 0 })).rejects.toBeInstanceOf(ClusterUnavailable);
    await expect(
      offline.publish('app', ['h.t'], '1', { history: [{ size: 1, ttlMs: 1 }] }),
    ).rejects.toBeInstanceOf(ClusterUnavailable);
    expect(alone.delivered).toEqual([]);
  });
});

describe('GatewayLink heartbeat', () => {
  it("carries the node's own stats, read from the node", async () => {
    const ts = new FakeTopicService();
    ts.heartbeatIntervalMs = 100; // the shortest the link accepts
    await ts.start();
    cleanup.push(() => ts.stop());
    node = new FakeNode();
    node.counts = {
      ...node.counts,
      connections: 3,
      topics: 2,
      deliveries: 40,
      messagesRouted: 9,
      serverCloses: { ...node.counts.serverCloses, 4008: 5 },
    };
    link = new GatewayLink(
      { topicServiceUrl: `127.0.0.1:${ts.port}`, nodeId: 'node1' },
      new MetricsRegistry(),
    );
    link.attach(node);
    await waitUntil(() => ts.received.some((m) => m.heartbeat));
    expect(ts.received.find((m) => m.heartbeat)?.heartbeat?.stats).toMatchObject({
      connections: 3,
      topics: 2,
      deliveriesTotal: 40,
      messagesRoutedTotal: 9,
      slowConsumersTotal: 5,
      remoteMessagesTotal: 0,
    });
  });
});
