import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../support/beacon.js';
import { TestCluster } from '../support/cluster.js';
import { publishAtRate } from '../support/publisher.js';
import { TestClient, type Frame } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

// Issue 8 in the cluster: real processes (topic-service, three gateways, push-api). Presence is kept by
// the topic-service from every gateway's joins; history topics are numbered there.

const LIVENESS_MS = 1_000;
let c: TestCluster;
let app: { id: string; key: string; secret: string; tokenKey: string };
const open: TestClient[] = [];
beforeAll(async () => {
  c = await TestCluster.start({ gateways: 3, heartbeatMs: 200, livenessMs: LIVENESS_MS });
  app = await c.createApp('live', {
    clientPublish: true,
    presence: ['room.*'],
    presenceMaxMembers: 3,
    history: [{ pattern: 'h.*', size: 1000, ttlSec: 60 }],
  });
}, 90_000);
afterAll(async () => {
  for (const client of open) client.close();
  await c?.stop();
});

const connect = async (gateway: number, sub: string, info?: Record<string, unknown>): Promise<TestClient> => {
  const token = await signToken(app.tokenKey, info === undefined ? { sub } : { sub, info });
  const client = await TestClient.connect(c.wsUrl(gateway, token, app.key));
  open.push(client);
  return client;
};
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${c.pushUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${app.secret}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const publish = (topic: string, data: unknown) => api('POST', '/v1/publish', { topic, data });
async function ask(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const id = Math.random().toString(36).slice(2);
  client.send({ ...frame, id });
  return client.waitFor((f) => f.id === id);
}
const events = (client: TestClient) => client.frames.filter((f) => f.type === 'join' || f.type === 'leave');
const offsets = (frames: Frame[]) => frames.map((f) => f.offset as number);
const stats = async (topic: string) => (await api('GET', `/v1/topics/${topic}/presence/stats`)).body;

describe('presence across gateways', () => {
  it('members of every gateway are seen from any gateway and the push API; join/leave cross gateways', async () => {
    const ann = await connect(0, 'ann', { name: 'Ann' });
    const bob = await connect(1, 'bob', { name: 'Bob' });
    expect(await ann.request({ type: 'subscribe', topic: 'room.x', joinLeave: true })).toMatchObject({
      type: 'ack',
    });
    expect(await bob.request({ type: 'subscribe', topic: 'room.x' })).toMatchObject({ type: 'ack' });
    expect(await ann.waitFor((f) => f.type === 'join')).toEqual({
      type: 'join',
      topic: 'room.x',
      clientId: bob.clientId,
      userId: 'bob',
      info: { name: 'Bob' },
    });
    // From bob's gateway, ann (on the other one) is a member, with her info.
    const p = await ask(bob, { type: 'presence', topic: 'room.x' });
    expect((p.members as Frame[]).map((m) => [m.clientId, m.info])).toEqual([
      [ann.clientId, { name: 'Ann' }],
      [bob.clientId, { name: 'Bob' }],
    ]);
    expect(await ask(ann, { type: 'presence_stats', topic: 'room.x' })).toMatchObject({
      clients: 2,
      users: 2,
    });
    const rest = await api('GET', `/v1/topics/${encodeURIComponent('room.x')}/presence`);
    expect((rest.body.members as Frame[]).map((m) => m.userId)).toEqual(['ann', 'bob']);
    expect(await stats('room.x')).toEqual({ topic: 'room.x', clients: 2, users: 2 });

    bob.close();
    expect(await ann.waitFor((f) => f.type === 'leave')).toMatchObject({
      clientId: bob.clientId,
      userId: 'bob',
    });
    expect(await stats('room.x')).toMatchObject({ clients: 1 });
    expect(events(ann)).toHaveLength(2); // one join, one leave: nothing twice
  });

  it('enforces the member limit over all gateways', async () => {
    const m = [await connect(0, 'm1'), await connect(1, 'm2'), await connect(2, 'm3')];
    for (const x of m) await x.subscribe('room.full');
    const fourth = await connect(1, 'm4');
    expect(await fourth.request({ type: 'subscribe', topic: 'room.full' })).toMatchObject({
      type: 'error',
      code: 'presence_full',
      topic: 'room.full',
    });
    m[0]!.close();
    await waitUntil(async () => (await stats('room.full')).clients === 2);
    expect(await fourth.request({ type: 'subscribe', topic: 'room.full' })).toMatchObject({ type: 'ack' });
  });
});

describe('history across gateways', () => {
  it('every subscriber on every gateway sees the same offsets in order, client publishes included', async () => {
    const a = await connect(0, 'ha');
    const b = await connect(1, 'hb');
    const ackA = await a.request({ type: 'subscribe', topic: 'h.order' });
    expect(ackA.positions).toMatchObject({ 'h.order': { offset: 0, epoch: expect.any(String) } });
    await b.subscribe('h.order');
    // Two publishing clients per gateway (within their burst of 20) racing the push API.
    const pubs: TestClient[] = [];
    for (let g = 0; g < 6; g++) pubs.push(await connect(g % 3, `p${g}`));
    const acks: Array<Promise<Frame>> = [];
    const rest: Array<Promise<unknown>> = [];
    for (let i = 0; i < 15; i++) {
      for (const p of pubs) acks.push(p.request({ type: 'publish', topic: 'h.order', data: { i } }));
      rest.push(publish('h.order', { rest: i }), publish('h.order', { rest: -i }));
    }
    const all = await Promise.all(acks);
    await Promise.all(rest);
    const total = 120;
    for (const ack of all)
      expect(ack).toMatchObject({ type: 'ack', positions: { 'h.order': { offset: expect.any(Number) } } });
    await waitUntil(() => a.messages('h.order').length === total && b.messages('h.order').length === total);
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    expect(offsets(a.messages('h.order'))).toEqual(expected);
    expect(offsets(b.messages('h.order'))).toEqual(expected);
    expect(b.messages('h.order').map((m) => m.id)).toEqual(a.messages('h.order').map((m) => m.id));
    // The publishing clients' own acks name the offsets their messages got.
    const ackOffsets = all.map((f) => (f.positions as Record<string, { offset: number }>)['h.order']!.offset);
    expect(new Set(ackOffsets).size).toBe(90);
  });

  it('a client that drops during 200 msg/s and resubscribes on another gateway with since gets each message once, in order', async () => {
    const first = await connect(0, 'r');
    await first.subscribe('h.race');
    const total = 300;
    const publisher = publishAtRate(
      200,
      async (seq) => {
        expect((await publish('h.race', { n: seq + 1 })).status).toBe(200);
      },
      { total },
    );
    await waitUntil(() => first.messages('h.race').length >= 60);
    first.close();
    const seen = first.messages('h.race');
    const last = seen.at(-1)!;
    await waitUntil(() => publisher.sent >= 150);
    const again = await connect(1, 'r');
    const reply = await again.request({
      type: 'subscribe',
      topic: 'h.race',
      since: { offset: last.offset, epoch: last.epoch },
    });
    expect(reply).toMatchObject({
      type: 'ack',
      recovery: { 'h.race': { recovered: true, epoch: last.epoch } },
    });
    await publisher.done;
    await waitUntil(() => again.messages('h.race').at(-1)?.offset === total);
    const all = [...offsets(seen), ...offsets(again.messages('h.race'))];
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const h = await api(
      'GET',
      `/v1/topics/h.race/history?since=${total - 2}&epoch=${String(last.epoch)}&limit=10`,
    );
    expect(h.body).toMatchObject({ recovered: true, messages: [{ offset: total - 1 }, { offset: total }] });
  });
});

describe('failures', () => {
  it('kill -9 of a gateway: its members leave, with leave events, within the liveness bound', async () => {
    const watcher = await connect(0, 'w');
    await watcher.request({ type: 'subscribe', topic: 'room.k', joinLeave: true });
    const doomed = await connect(2, 'doomed');
    await doomed.subscribe('room.k');
    await watcher.waitFor((f) => f.type === 'join' && f.clientId === doomed.clientId);
    const killedAt = Date.now();
    await c.gateways[2]!.kill9();
    const leave = await watcher.waitFor((f) => f.type === 'leave' && f.clientId === doomed.clientId, 10_000);
    expect(leave).toMatchObject({ topic: 'room.k', userId: 'doomed' });
    // The liveness bound: 1.25 x the timeout, plus the time to see the process gone.
    expect(Date.now() - killedAt).toBeLessThan(1.25 * LIVENESS_MS + 1_500);
    expect(await stats('room.k')).toMatchObject({ clients: 1 });
  });

  it('a topic-service restart: presence is rebuilt from the gateways without false events; history says recovered: false', async () => {
    const ann = await connect(0, 'ann2');
    const bob = await connect(1, 'bob2');
    await ann.request({ type: 'subscribe', topic: 'room.r', joinLeave: true });
    await bob.request({ type: 'subscribe', topic: 'room.r', joinLeave: true });
    await ann.waitFor((f) => f.type === 'join' && f.clientId === bob.clientId);
    await ann.subscribe('h.restart');
    const r1 = await publish('h.restart', 'before');
    const before = (r1.body.positions as Record<string, { offset: number; epoch: string }>)['h.restart']!;
    await ann.waitFor((f) => f.type === 'message' && f.data === 'before');
    const eventsBefore = [events(ann).length, events(bob).length];

    await c.topicService.kill9();
    await c.startTopicService();
    await c.waitForGateways(2);
    // Rebuilt from the gateways' snapshots: both members, seen from the push API.
    await waitUntil(async () => {
      const s = await api('GET', '/v1/topics/room.r/presence/stats').catch(() => undefined);
      return s?.body.clients === 2;
    }, 10_000);
    await ann.sync();
    await bob.sync();
    expect([events(ann).length, events(bob).length]).toEqual(eventsBefore); // no join/leave storm

    // Events flow again after the rebuild.
    const carl = await connect(1, 'carl');
    await carl.subscribe('room.r');
    await ann.waitFor((f) => f.type === 'join' && f.clientId === carl.clientId);

    // History: a new epoch; a client with the old position is told to reload.
    const r2 = await publish('h.restart', 'after');
    const after = (r2.body.positions as Record<string, { offset: number; epoch: string }>)['h.restart']!;
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.offset).toBe(1);
    const back = await connect(2 - 1, 'ann3');
    const reply = await back.request({ type: 'subscribe', topic: 'h.restart', since: before });
    expect(reply.recovery).toMatchObject({ 'h.restart': { recovered: false, epoch: after.epoch } });
  });
});
