import { ClientGateway } from '@beacon/gateway';
import { localAdminSources, type AdminSources } from '@beacon/stats';
import type { StatsSnapshot } from '@beacon/admin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TOKEN_KEY, signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { waitUntil } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/** The single process's admin sources over its real hub: real sockets, real counters. */
describe('stats and directories (single process)', () => {
  let beacon: TestBeacon;
  let sources: AdminSources;
  const clients: TestClient[] = [];
  let appId = '';

  beforeAll(async () => {
    beacon = await startTestBeacon();
    sources = localAdminSources(beacon.app.get(ClientGateway, { strict: false }));
    // Five users, each on its own topic, all on "all"; u0 twice.
    for (let i = 0; i < 6; i++) {
      const token = await signToken(DEV_TOKEN_KEY, { sub: `u${i % 5}`, info: { n: i } });
      const c = await TestClient.connect(beacon.wsUrl(undefined, token));
      await c.subscribe('all', `own.${i}`);
      clients.push(c);
    }
    const page = await sources.connections.find({ limit: 1 });
    appId = page.items[0]!.appId;
  });

  afterAll(async () => {
    for (const c of clients) c.ws.close();
    sources?.stop();
    await beacon?.stop();
  });

  it('finds connections by client id, user id, topic and app, paged in a stable order', async () => {
    const byClient = await sources.connections.find({ clientId: clients[3]!.clientId, limit: 10 });
    expect(byClient.items.map((c) => c.clientId)).toEqual([clients[3]!.clientId]);
    expect(byClient.items[0]).toMatchObject({ userId: 'u3', topics: 2, remoteAddress: '127.0.0.1' });

    const byUser = await sources.connections.find({ userId: 'u0', limit: 10 });
    expect(byUser.items.map((c) => c.clientId).sort()).toEqual(
      [clients[0]!.clientId, clients[5]!.clientId].sort(),
    );
    expect(byUser.total).toBe(2);

    const byTopic = await sources.connections.find({ topic: 'own.4', limit: 10 });
    expect(byTopic.items.map((c) => c.clientId)).toEqual([clients[4]!.clientId]);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await sources.connections.find({ appId, topic: 'all', cursor, limit: 4 });
      expect(page.total).toBe(6);
      seen.push(...page.items.map((c) => c.clientId));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(clients.map((c) => c.clientId));
    expect((await sources.connections.find({ appId: 'no-such-app', limit: 5 })).items).toEqual([]);
  });

  it("shows a connection's page and its counters move with traffic", async () => {
    const c = clients[2]!;
    const before = await sources.connections.get(c.clientId);
    expect(before).toMatchObject({ userId: 'u2', topicList: ['all', 'own.2'], info: { n: 2 } });
    expect(before!.userAgent).toBeNull(); // the ws client sends none
    expect(before!.connectedAt).toBeGreaterThan(Date.now() - 60_000);
    const r = await beacon.api('POST', '/v1/publish', { topic: 'own.2', data: { hello: 'x'.repeat(100) } });
    expect(r.status).toBe(200);
    await c.waitFor((f) => f.type === 'message' && f.topic === 'own.2');
    await c.sync();
    const after = await sources.connections.get(c.clientId);
    expect(after!.messagesOut).toBeGreaterThan(before!.messagesOut);
    expect(after!.bytesOut).toBeGreaterThan(before!.bytesOut + 100);
    expect(after!.messagesIn).toBeGreaterThan(before!.messagesIn); // the sync ping
    expect(after!.bytesIn).toBeGreaterThan(before!.bytesIn);
    expect(await sources.connections.get('cnope.1')).toBeNull();
  });

  it('ranks and finds topics, tails one, and streams snapshots that see the clients and the traffic', async () => {
    const list = await sources.topics.list({ sort: 'subscribers', offset: 0, limit: 2 });
    expect(list.items[0]).toMatchObject({ topic: 'all', subscribers: 6 });
    expect(list.total).toBe(7);
    const own = await sources.topics.list({
      appId,
      prefix: 'own.',
      sort: 'subscribers',
      offset: 5,
      limit: 10,
    });
    expect(own.items).toHaveLength(1);
    expect(own.total).toBe(6);
    const detail = await sources.topics.detail(appId, 'all');
    expect(detail).toMatchObject({ subscribers: 6, nodes: [{ nodeId: beacon.nodeId, subscribers: 6 }] });
    expect(await sources.topics.detail(appId, 'nobody')).toBeNull();

    const tailed: string[] = [];
    const stopTail = sources.topics.tail(appId, 'all', (m) => tailed.push(m.dataJson));
    const snapshots: StatsSnapshot[] = [];
    const stop = sources.liveStats.subscribe((s) => snapshots.push(s));
    try {
      await waitUntil(
        async () => {
          await beacon.api('POST', '/v1/publish', { topic: 'all', data: { tick: 1 } });
          const s = snapshots.at(-1);
          return s !== undefined && s.totals.deliveriesPerSec > 0 && s.topTopics.byRate.length > 0;
        },
        10_000,
        () => JSON.stringify(snapshots.at(-1)),
      );
      const s = snapshots.at(-1)!;
      expect(s.totals).toMatchObject({ nodes: 1, connections: 6, subscriptions: 12, topics: 7 });
      expect(s.nodes[0]).toMatchObject({ id: beacon.nodeId, kind: 'single', status: 'up', connections: 6 });
      expect(s.topTopics.bySubscribers[0]).toMatchObject({ topic: 'all', subscribers: 6, appKey: 'devapp' });
      expect(s.topTopics.byRate[0]).toMatchObject({ topic: 'all' });
      expect(s.apps[0]).toMatchObject({ appId, connections: 6, subscriptions: 12, topics: 7 });
      expect(tailed).toContain('{"tick":1}');
      const rate = await sources.topics.list({ sort: 'rate', offset: 0, limit: 1 });
      expect(rate.items[0]).toMatchObject({ topic: 'all' });
      expect(rate.items[0]!.messagesPerSec).toBeGreaterThan(0);
      expect(sources.liveStats.history().connections.at(-1)).toBe(6);
    } finally {
      stop();
      stopTail();
    }
  });
});
