import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY, openStream, snapshot, startHarness, until, type AdminHarness } from '../test/harness.js';

// Topics, connections and statistics against in-memory fakes of the ports (the real ones are libs/stats's),
// and the streams' lifetimes: each lets go of its port listener when the viewer goes away.

let h: AdminHarness;
let appId: string;
beforeAll(async () => {
  h = await startHarness({ tailRatePerSec: 5 });
  appId = (await h.persistence.apps.create({ name: 'Chat', key: 'chat' })).app.id;
  h.ports.topicRows = Array.from({ length: 7 }, (_, i) => ({
    appId,
    topic: `room/${i}`,
    subscribers: 100 - i,
    messagesPerSec: i,
  }));
  h.ports.conns = ['c1', 'c2', 'c3'].map((clientId, i) => ({
    clientId,
    appId,
    userId: i === 2 ? null : `u${i}`,
    nodeId: 'n1',
    connectedAt: 1000 + i,
    remoteAddress: '127.0.0.1',
    topics: 1,
    topicList: ['room/1'],
    userAgent: 'spec',
    info: null,
    messagesIn: 1,
    messagesOut: 2,
    bytesIn: 3,
    bytesOut: 4,
  }));
});
afterAll(async () => {
  await h.close();
});

describe('topics', () => {
  it('pages the busiest topics with opaque cursors, names the app key, filters by app and prefix', async () => {
    const { client } = await h.as('viewer');
    const first = await client.call('topics', { query: { limit: 3 } });
    expect(first.items.map((t) => t.topic)).toEqual(['room/0', 'room/1', 'room/2']);
    expect(first.items[0]).toMatchObject({ appKey: 'chat', appId, subscribers: 100 });
    expect(first.total).toBe(7);
    const second = await client.call('topics', { query: { limit: 3, cursor: first.nextCursor! } });
    expect(second.items.map((t) => t.topic)).toEqual(['room/3', 'room/4', 'room/5']);
    const last = await client.call('topics', { query: { limit: 3, cursor: second.nextCursor! } });
    expect([last.items.length, last.nextCursor]).toEqual([1, null]);
    const byRate = await client.call('topics', { query: { sort: 'rate', limit: 1 } });
    expect(byRate.items[0]?.topic).toBe('room/6');
    expect((await client.call('topics', { query: { prefix: 'room/5' } })).items).toHaveLength(1);
    expect(await client.call('topics', { query: { app: 'nope' } })).toEqual({
      items: [],
      nextCursor: null,
      total: 0,
    });
  });

  it("gives one topic's detail with its nodes, 404 for an unknown topic or app", async () => {
    const { client } = await h.as('viewer');
    const d = await client.call('topic', { params: { key: 'chat', topic: 'room/1' } });
    expect(d).toMatchObject({ appKey: 'chat', topic: 'room/1', nodes: [{ nodeId: 'n1', subscribers: 3 }] });
    await expect(client.call('topic', { params: { key: 'chat', topic: 'nope' } })).rejects.toMatchObject({
      status: 404,
    });
    await expect(client.call('topic', { params: { key: 'nope', topic: 'room/1' } })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('publishes through the Router (an admin only), audited', async () => {
    const { client } = await h.as('admin');
    const r = await client.call('publish', {
      params: { key: 'chat' },
      body: { topic: 'room/1', data: { a: 1 } },
    });
    expect(r).toEqual({ id: 'm1', ts: 42 });
    expect(h.router.calls.at(-1)).toEqual({ op: 'publish', args: [appId, ['room/1'], '{"a":1}', undefined] });
    // a topic with a history rule keeps the message, as a push API publish would
    await h.persistence.apps.updateSettings('chat', {
      history: [{ pattern: 'room.*', size: 10, ttlSec: 60 }],
    });
    h.served.services.apps.invalidate();
    await client.call('publish', { params: { key: 'chat' }, body: { topic: 'room.kept', data: 1 } });
    expect(h.router.calls.at(-1)?.args[3]).toEqual({ history: [{ size: 10, ttlMs: 60_000 }] });
    const viewer = await h.as('viewer');
    await expect(
      viewer.client.call('publish', { params: { key: 'chat' }, body: { topic: 'room/1', data: 1 } }),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('tails a topic at a bounded rate per viewer, counting what it skipped, and lets go when the viewer leaves', async () => {
    const { cookie } = await h.as('viewer');
    const s = await openStream(
      `${h.url}/admin/v1/apps/chat/topics/${encodeURIComponent('room/1')}/tail`,
      cookie,
    );
    expect(s.status).toBe(200);
    await until(() => h.ports.tailListeners() === 1);
    for (let i = 0; i < 50; i++)
      h.ports.emitTail(appId, 'room/1', { id: `m${i}`, ts: i, dataJson: `{"i":${i}}` });
    h.ports.emitTail(appId, 'room/1', { id: 'big', ts: 0, dataJson: JSON.stringify('x'.repeat(10_000)) });
    await until(() => s.events.some((e) => e.event === 'dropped'), 3_000);
    const messages = s.events.filter((e) => e.event === 'message');
    const dropped = s.events
      .filter((e) => e.event === 'dropped')
      .map((e) => (e.data as { dropped: number }).dropped);
    expect(messages.length).toBeLessThanOrEqual(5);
    expect(messages.length + dropped.reduce((a, b) => a + b, 0)).toBe(51);
    s.stop();
    await until(() => h.ports.tailListeners() === 0);
  });

  it('cuts tailed payloads to 4 KiB for the viewer', async () => {
    const { cookie } = await h.as('viewer');
    const s = await openStream(`${h.url}/admin/v1/apps/chat/topics/room%2F2/tail`, cookie);
    await until(() => h.ports.tailListeners() === 1);
    h.ports.emitTail(appId, 'room/2', { id: 'big', ts: 0, dataJson: JSON.stringify('x'.repeat(10_000)) });
    await until(() => s.events.length > 0);
    expect(s.events[0]).toMatchObject({ event: 'message', data: { id: 'big', truncated: true } });
    expect((s.events[0]!.data as { dataJson: string }).dataJson).toHaveLength(4096);
    s.stop();
    await until(() => h.ports.tailListeners() === 0);
  });
});

describe('connections', () => {
  it('finds connections by app, user, client and topic, paged, with the app key', async () => {
    const { client } = await h.as('viewer');
    const all = await client.call('connections', { query: { app: 'chat', limit: 2 } });
    expect(all.items.map((c) => c.clientId)).toEqual(['c1', 'c2']);
    expect(all.items[0]).toMatchObject({ appKey: 'chat', userId: 'u0' });
    const next = await client.call('connections', {
      query: { app: 'chat', limit: 2, cursor: all.nextCursor! },
    });
    expect(next.items.map((c) => c.clientId)).toEqual(['c3']);
    expect(
      (await client.call('connections', { query: { user: 'u1' } })).items.map((c) => c.clientId),
    ).toEqual(['c2']);
    expect((await client.call('connections', { query: { topic: 'room/1' } })).items).toHaveLength(3);
    const one = await client.call('connection', { params: { clientId: 'c1' } });
    expect(one).toMatchObject({ clientId: 'c1', appKey: 'chat', userAgent: 'spec', bytesOut: 4 });
  });

  it('disconnects a client and a user through the Router', async () => {
    const { client } = await h.as('admin');
    await client.call('disconnectClient', { params: { clientId: 'c2' } });
    expect(h.router.calls.at(-1)).toEqual({ op: 'disconnect', args: [appId, { clientId: 'c2' }] });
    await client.call('disconnectUser', { params: { key: 'chat', userId: 'u0' } });
    expect(h.router.calls.at(-1)).toEqual({ op: 'disconnect', args: [appId, { userId: 'u0' }] });
    await h.persistence.audit.flush();
    const rows = await h.persistence.audit.query({ action: 'user.disconnect' });
    expect(rows[0]).toMatchObject({ actor: 'operator:admin@spec.test', appId, target: 'u0', result: 'ok' });
  });
});

describe('statistics', () => {
  it('streams the history first, then each snapshot; the apps show their connection counts', async () => {
    const { cookie, client } = await h.as('viewer');
    const s = await openStream(`${h.url}/admin/v1/stats/stream`, cookie);
    // the admin layer holds one subscription of its own (latest snapshot); the stream adds one
    await until(() => h.ports.statsListeners.size === 2);
    await until(() => s.events.length === 1);
    expect(s.events[0]).toEqual({ event: 'history', data: HISTORY });
    const snap = snapshot(1, [
      {
        appId,
        appKey: 'chat',
        connections: 3,
        subscriptions: 3,
        topics: 7,
        publishesPerSec: 0,
        deliveriesPerSec: 0,
      },
    ]);
    for (const l of h.ports.statsListeners) l(snap);
    for (const l of h.ports.statsListeners) l(snapshot(2));
    await until(() => s.events.length === 3);
    expect(s.events.slice(1).map((e) => [e.event, (e.data as { ts: number }).ts])).toEqual([
      ['snapshot', 1],
      ['snapshot', 2],
    ]);
    s.stop();
    await until(() => h.ports.statsListeners.size === 1);
    for (const l of h.ports.statsListeners) l(snap);
    expect((await client.call('app', { params: { key: 'chat' } })).connections).toBe(3);
  });

  it('a new viewer gets the latest snapshot right after the history', async () => {
    const { cookie } = await h.as('viewer');
    const s = await openStream(`${h.url}/admin/v1/stats/stream`, cookie);
    await until(() => s.events.length === 2);
    expect(s.events.map((e) => e.event)).toEqual(['history', 'snapshot']);
    s.stop();
    await until(() => h.ports.statsListeners.size === 1);
  });

  it('refuses streams without a session', async () => {
    const s = await openStream(`${h.url}/admin/v1/stats/stream`, '');
    expect(s.status).toBe(401);
    expect(h.ports.statsListeners.size).toBe(1);
  });
});

describe('audit stream', () => {
  it('stops polling once the last viewer leaves', async () => {
    const { cookie, client } = await h.as('admin');
    const s = await openStream(`${h.url}/admin/v1/audit/stream?action=app.create`, cookie);
    await until(() => h.served.services.auditFeed.size === 1);
    await client.call('createApp', { body: { name: 'Streamed', key: 'streamed' } });
    await until(() => s.events.some((e) => e.event === 'record'));
    expect(s.events[0]?.data).toMatchObject({ action: 'app.create', target: 'streamed', result: 'ok' });
    s.stop();
    await until(() => h.served.services.auditFeed.size === 0);
  });
});
