import type { StatsSnapshot } from '@beacon/admin-api';
import { clusterAdminSources, type AdminSources } from '@beacon/stats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../support/beacon.js';
import { TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/** The cluster's admin sources: the topic-service aggregates what real gateway processes report. */
describe('cluster stats and directories', () => {
  let cluster: TestCluster;
  let sources: AdminSources;
  const clients: TestClient[] = [];
  const snapshots: StatsSnapshot[] = [];
  let unsubscribe: () => void = () => undefined;

  beforeAll(async () => {
    cluster = await TestCluster.start({ gateways: 2 });
    sources = clusterAdminSources({
      topicServiceUrl: `127.0.0.1:${cluster.tsPort}`,
      clusterToken: cluster.clusterToken,
      nodeId: 'test-push-api',
      deadlineMs: 3_000,
    });
    // Three clients on each gateway; user "both" on both.
    for (let g = 0; g < 2; g++) {
      for (let i = 0; i < 3; i++) {
        const token = await signToken(cluster.app.tokenKey, { sub: i === 0 ? 'both' : `g${g}u${i}` });
        const c = await TestClient.connect(cluster.wsUrl(g, token));
        await c.subscribe('room', `gw${g}`);
        clients.push(c);
      }
    }
    unsubscribe = sources.liveStats.subscribe((s) => snapshots.push(s));
  }, 60_000);

  afterAll(async () => {
    unsubscribe();
    for (const c of clients) c.ws.close();
    sources?.stop();
    await cluster?.stop();
  });

  const gatewayRows = (s: StatsSnapshot | undefined) => (s?.nodes ?? []).filter((n) => n.kind === 'gateway');

  it('aggregates both gateways into one snapshot', async () => {
    await waitUntil(
      async () => {
        await cluster.api('POST', '/v1/publish', { topic: 'room', data: { n: 1 } });
        const s = snapshots.at(-1);
        return (
          gatewayRows(s).length === 2 &&
          // both push-api rows (the cluster's and these sources') before asserting on them
          s!.nodes.filter((n) => n.kind === 'push-api').length === 2 &&
          s!.totals.connections === 6 &&
          s!.totals.deliveriesPerSec > 0 &&
          s!.topTopics.bySubscribers[0]?.subscribers === 6
        );
      },
      15_000,
      () => JSON.stringify(snapshots.at(-1)),
    );
    const s = snapshots.at(-1)!;
    // two push-api rows: the cluster's push-api process and this test's own sources, which report like one
    expect(s.nodes.map((n) => n.kind).sort()).toEqual([
      'gateway',
      'gateway',
      'push-api',
      'push-api',
      'topic-service',
    ]);
    expect(s.totals).toMatchObject({ connections: 6, subscriptions: 12, topics: 3 });
    expect(gatewayRows(s).map((n) => n.connections)).toEqual([3, 3]);
    expect(s.topTopics.bySubscribers[0]).toMatchObject({ topic: 'room', appKey: cluster.app.key });
    expect(s.apps[0]).toMatchObject({ appId: cluster.app.id, connections: 6 });
    expect(sources.liveStats.history().ts.length).toBeGreaterThan(0);
  });

  it('finds connections across gateways with paging, and a connection and a topic on its gateway', async () => {
    const both = await sources.connections.find({ userId: 'both', limit: 10 });
    expect(both.items).toHaveLength(2);
    expect(new Set(both.items.map((c) => c.nodeId)).size, JSON.stringify(both.items)).toBe(2);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await sources.connections.find({ topic: 'room', cursor, limit: 4 });
      expect(page.total).toBe(6);
      seen.push(...page.items.map((c) => c.clientId));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(clients.map((c) => c.clientId).sort());

    const one = await sources.connections.get(clients[4]!.clientId);
    expect(one).toMatchObject({ clientId: clients[4]!.clientId, topicList: ['gw1', 'room'], userId: 'g1u1' });

    const room = await sources.topics.detail(cluster.app.id, 'room');
    expect(room).toMatchObject({ subscribers: 6 });
    expect(room!.nodes.map((n) => n.subscribers)).toEqual([3, 3]);
    const list = await sources.topics.list({ sort: 'subscribers', offset: 0, limit: 5 });
    expect(list.items[0]).toMatchObject({ topic: 'room', subscribers: 6 });
    expect(list.items.map((t) => t.topic).sort()).toEqual(['gw0', 'gw1', 'room']);

    const tailed: string[] = [];
    const stop = sources.topics.tail(cluster.app.id, 'room', (m) => tailed.push(m.dataJson));
    try {
      // Publish until the tail is live; every publish has its own data, so a repeat is a duplicate.
      let n = 0;
      await waitUntil(async () => {
        await cluster.api('POST', '/v1/publish', { topic: 'room', data: { tail: ++n } });
        return tailed.length > 0;
      }, 10_000);
      await cluster.api('POST', '/v1/publish', { topic: 'room', data: { tail: 'last' } });
      await waitUntil(() => tailed.includes('{"tail":"last"}'));
    } finally {
      stop();
    }
    // Each message once, though both gateways saw it.
    expect(new Set(tailed).size, JSON.stringify(tailed)).toBe(tailed.length);
  });

  it('lists topics like the single process: the total, pages and prefix search over the whole cluster', async () => {
    // "room" has 3 subscribers on each gateway, so it ranks below gw0/gw1 (3 each, by name) on both;
    // only the cluster-wide counts put it first.
    const walk = async (q: { prefix?: string; sort: 'subscribers' | 'rate' }) => {
      const rows: Array<{ topic: string; subscribers: number }> = [];
      const totals: Array<number | null> = [];
      for (let offset = 0; offset < 10; offset++) {
        const page = await sources.topics.list({ ...q, offset, limit: 1 });
        totals.push(page.total);
        if (page.items.length === 0) break;
        rows.push(...page.items.map((t) => ({ topic: t.topic, subscribers: t.subscribers })));
      }
      return { rows, totals };
    };
    const all = await walk({ sort: 'subscribers' });
    expect(all.rows).toEqual([
      { topic: 'room', subscribers: 6 },
      { topic: 'gw0', subscribers: 3 },
      { topic: 'gw1', subscribers: 3 },
    ]);
    expect(new Set(all.totals)).toEqual(new Set([3]));

    const gw = await walk({ sort: 'subscribers', prefix: 'gw' });
    expect(gw.rows.map((r) => r.topic)).toEqual(['gw0', 'gw1']);
    expect(new Set(gw.totals)).toEqual(new Set([2]));

    const byRate = await sources.topics.list({ sort: 'rate', offset: 0, limit: 10 });
    expect(byRate.total).toBe(3);
    expect(byRate.items.find((t) => t.topic === 'room')?.subscribers).toBe(6);
    expect(byRate.items.map((t) => t.topic).sort()).toEqual(['gw0', 'gw1', 'room']);

    const app = await sources.topics.list({
      appId: cluster.app.id,
      prefix: 'ro',
      sort: 'subscribers',
      offset: 0,
      limit: 5,
    });
    expect(app).toMatchObject({ total: 1, items: [{ topic: 'room', subscribers: 6 }] });
    const none = await sources.topics.list({ appId: 'app_none', sort: 'subscribers', offset: 0, limit: 5 });
    expect(none).toEqual({ items: [], total: 0 });
  });

  it('drops a killed gateway from the aggregate', async () => {
    const killed = cluster.gatewayNodeId(1);
    await cluster.gateways[1]!.kill9();
    await waitUntil(
      () => {
        const rows = gatewayRows(snapshots.at(-1));
        return rows.length === 1 && rows[0]!.id !== killed;
      },
      15_000,
      () => JSON.stringify(gatewayRows(snapshots.at(-1))),
    );
    expect(snapshots.at(-1)!.totals.connections).toBe(3);
    const page = await sources.connections.find({ topic: 'room', limit: 10 });
    expect(page.items.every((c) => c.nodeId !== killed)).toBe(true);
  });
});
