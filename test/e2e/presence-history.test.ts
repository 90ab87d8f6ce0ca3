import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { publishAtRate } from '../support/publisher.js';
import { TestClient, type Frame } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

// Issue 8 on the single process: presence with client info, history with recovery, message kinds, token
// refresh. Real sockets, the real push API, the real app settings.

let beacon: TestBeacon;
let secret = '';
let tokenKey = '';
beforeAll(async () => {
  beacon = await startTestBeacon();
  const made = await beacon.persistence.apps.create({
    name: 'live',
    key: 'live',
    settings: {
      clientPublish: true,
      presence: ['room.*', '/chat/**'],
      presenceMaxMembers: 3,
      history: [{ pattern: 'h.*', size: 1000, ttlSec: 60 }],
    },
  });
  secret = made.secret;
  tokenKey = made.tokenKey.secret;
});
afterAll(async () => {
  await beacon.stop();
});

const connect = async (sub: string, claims: Record<string, unknown> = {}, exp: string | number = '1h') =>
  TestClient.connect(beacon.wsUrl('live', await signToken(tokenKey, { sub, ...claims }, exp)));
const api = (method: string, path: string, body?: unknown) => beacon.api(method, path, body, secret);
const publish = (topic: string, data: unknown) => api('POST', '/v1/publish', { topic, data });
/** Sends a frame with an id and waits for whatever answers it (presence replies are not acks). */
async function ask(c: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const id = Math.random().toString(36).slice(2);
  c.send({ ...frame, id });
  return c.waitFor((f) => f.id === id);
}
const offsets = (frames: Frame[]) => frames.map((f) => f.offset as number);

describe('presence (issue 8)', () => {
  it('members with their info, join and leave frames, stats, REST', async () => {
    const ann = await connect('ann', { info: { name: 'Ann', colour: '#c00' } });
    const bob = await connect('bob', { info: { name: 'Bob' } });
    expect(await ann.request({ type: 'subscribe', topic: 'room.1', joinLeave: true })).toMatchObject({
      type: 'ack',
    });
    expect(await bob.request({ type: 'subscribe', topic: 'room.1' })).toMatchObject({ type: 'ack' });
    const join = await ann.waitFor((f) => f.type === 'join');
    expect(join).toEqual({
      type: 'join',
      topic: 'room.1',
      clientId: bob.clientId,
      userId: 'bob',
      info: { name: 'Bob' },
    });
    const p = await ask(ann, { type: 'presence', topic: 'room.1' });
    expect(p).toMatchObject({ type: 'presence', topic: 'room.1' });
    expect((p.members as Frame[]).map((m) => [m.userId, m.info])).toEqual([
      ['ann', { name: 'Ann', colour: '#c00' }],
      ['bob', { name: 'Bob' }],
    ]);
    expect(await ask(bob, { type: 'presence_stats', topic: 'room.1' })).toMatchObject({
      type: 'presence_stats',
      clients: 2,
      users: 2,
    });
    const rest = await api('GET', `/v1/topics/${encodeURIComponent('room.1')}/presence`);
    expect(rest.status).toBe(200);
    expect((rest.body.members as Frame[]).map((m) => m.clientId)).toEqual([ann.clientId, bob.clientId]);
    expect((await api('GET', '/v1/topics/room.1/presence/stats')).body).toEqual({
      topic: 'room.1',
      clients: 2,
      users: 2,
    });
    // bob's socket closes: a leave, and he is gone from the members
    bob.close();
    expect(await ann.waitFor((f) => f.type === 'leave')).toMatchObject({
      userId: 'bob',
      clientId: bob.clientId,
    });
    expect((await api('GET', '/v1/topics/room.1/presence/stats')).body).toMatchObject({
      clients: 1,
      users: 1,
    });
    ann.close();
  });

  it('firetower-style topics with slashes work URL-encoded', async () => {
    const c = await connect('cara');
    await c.subscribe('/chat/world');
    const r = await api('GET', `/v1/topics/${encodeURIComponent('/chat/world')}/presence`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ topic: '/chat/world', members: [{ userId: 'cara' }] });
    c.close();
  });

  it('refuses a subscribe past the member limit, presence on other topics, and oversize info', async () => {
    const members = [await connect('m1'), await connect('m2'), await connect('m3')];
    for (const m of members) await m.subscribe('room.full');
    const fourth = await connect('m4');
    expect(await fourth.request({ type: 'subscribe', topics: ['room.full', 'plain'] })).toMatchObject({
      type: 'error',
      code: 'presence_full',
      topic: 'room.full',
    });
    // all or nothing: `plain` was not subscribed either
    await publish('plain', 1);
    await fourth.sync();
    expect(fourth.messages()).toEqual([]);
    expect(await fourth.request({ type: 'presence', topic: 'plain' })).toMatchObject({ code: 'no_presence' });
    expect((await api('GET', '/v1/topics/plain/presence')).body.code).toBe('no_presence');
    for (const m of [...members, fourth]) m.close();

    const big = await TestClient.open(
      beacon.wsUrl('live', await signToken(tokenKey, { sub: 'x', info: { blob: 'x'.repeat(1100) } })),
    );
    expect(await big.waitClosed()).toBe(CloseCode.Unauthorized);
    expect(big.closeReason).toMatch(/"info" is larger than 1024 bytes/);
  });
});

describe('history and recovery (issue 8)', () => {
  it('numbers messages; a resubscribe with since gets exactly what it missed, in order, while publishes race', async () => {
    const first = await connect('h');
    const ack = await first.request({ type: 'subscribe', topic: 'h.race' });
    // a fresh subscriber learns its position at once, so it can recover even before its first message
    expect(ack.positions).toMatchObject({ 'h.race': { offset: 0, epoch: expect.any(String) } });
    const total = 300;
    // 200 msg/s from the push API for 1.5 s, whatever the client does meanwhile
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
    const last = seen[seen.length - 1]!;
    expect(last).toMatchObject({ kind: 'topic', epoch: expect.any(String) });
    await waitUntil(() => publisher.sent >= 150); // miss a good part of the stream
    const again = await connect('h');
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
    await waitUntil(() => (again.messages('h.race').at(-1)?.offset as number | undefined) === total);
    const all = [...offsets(seen), ...offsets(again.messages('h.race'))];
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1)); // every message once, in order
    expect(again.messages('h.race').map((m) => (m.data as { n: number }).n)).toEqual(
      offsets(again.messages('h.race')),
    );
    again.close();
  });

  it('tells the client recovered: false when the epoch is not the stream’s, and serves REST history', async () => {
    const r1 = await publish('h.rest', { a: 1 });
    expect(r1.body.positions).toMatchObject({ 'h.rest': { offset: 1, epoch: expect.any(String) } });
    const epoch = (r1.body.positions as Record<string, { epoch: string }>)['h.rest']!.epoch;
    await publish('h.rest', { a: 2 });
    await publish('h.rest', { a: 3 });
    const c = await connect('e');
    const reply = await c.request({
      type: 'subscribe',
      topic: 'h.rest',
      since: { offset: 1, epoch: 'stale' },
    });
    expect(reply.recovery).toEqual({ 'h.rest': { recovered: false, offset: 3, epoch } });
    await c.sync();
    expect(c.messages()).toEqual([]);
    const h = await api('GET', `/v1/topics/h.rest/history?since=1&epoch=${epoch}&limit=10`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({
      topic: 'h.rest',
      recovered: true,
      position: { offset: 3, epoch },
      messages: [
        { offset: 2, data: { a: 2 } },
        { offset: 3, data: { a: 3 } },
      ],
    });
    expect((await api('GET', '/v1/topics/h.rest/history?limit=1')).body.messages).toMatchObject([
      { offset: 3 },
    ]);
    expect((await api('GET', '/v1/topics/plain/history')).body.code).toBe('no_history');
    expect((await api('GET', '/v1/topics/h.rest/history?since=1')).status).toBe(400);
    // client publishes to history topics are numbered too, and their ack says where
    const ack = await c.request({ type: 'publish', topic: 'h.rest', data: 4 });
    expect(ack.positions).toEqual({ 'h.rest': { offset: 4, epoch } });
    c.close();
  });
});

describe('message kinds and token refresh (issue 8)', () => {
  it('every message says how it was addressed', async () => {
    const c = await connect('kim');
    await c.subscribe('k.topic');
    await publish('k.topic', 1);
    await api('POST', '/v1/users/kim/send', { data: 2 });
    await api('POST', `/v1/clients/${c.clientId}/send`, { data: 3 });
    await api('POST', '/v1/broadcast', { data: 4 });
    await waitUntil(() => c.messages().length === 4);
    expect(c.messages().map((m) => [m.kind, m.data])).toEqual([
      ['topic', 1],
      ['user', 2],
      ['client', 3],
      ['broadcast', 4],
    ]);
    c.close();
  });

  it('a refresh frame extends the connection past the first token; another user’s token is refused', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const c = await connect('ref', {}, exp);
    const fresh = await signToken(tokenKey, { sub: 'ref' }, '1h');
    const ack = await c.request({ type: 'refresh', token: fresh });
    expect(ack).toMatchObject({ type: 'ack', expiresAt: expect.any(Number) });
    expect(ack.expiresAt as number).toBeGreaterThan(Date.now() + 3_000_000);
    const other = await c.request({ type: 'refresh', token: await signToken(tokenKey, { sub: 'someone' }) });
    expect(other).toMatchObject({ type: 'error', code: 'forbidden' });
    // past the first token's exp (plus a sweep), still connected
    await waitUntil(() => Date.now() > exp * 1000 + 1_500, 5_000);
    await c.sync();
    expect(c.closeCode).toBeNull();
    c.close();
  });
});
