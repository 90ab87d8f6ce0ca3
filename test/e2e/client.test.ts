import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Beacon,
  type BeaconOptions,
  type DisconnectInfo,
  type Message,
  type SubscribedInfo,
} from '@beacon/client';
import { DEV_KEY, DEV_TOKEN_KEY, signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { CutProxy } from '../support/cut-proxy.js';
import { publishAtRate } from '../support/publisher.js';
import { StallProxy } from '../support/stall-proxy.js';
import { waitUntil } from '../support/wait.js';

// @beacon/client against the real single-process server, with `ws` as the WebSocket (Node 20).

let beacon: TestBeacon;
let port: number;
const clients: Beacon[] = [];
/** An app with presence on `room.*` and history on `h.*` (issue 8), besides the dev app. */
const LIVE = { key: 'sdk-live', secret: '', tokenKey: '' };

beforeAll(async () => {
  beacon = await startTestBeacon({ BEACON_PING_INTERVAL_MS: '500', BEACON_IDLE_TIMEOUT_MS: '3000' });
  port = Number(new URL(beacon.url).port);
  const made = await beacon.persistence.apps.create({
    name: LIVE.key,
    key: LIVE.key,
    settings: {
      clientPublish: true,
      presence: ['room.*'],
      history: [{ pattern: 'h.*', size: 10_000, ttlSec: 600 }],
    },
  });
  LIVE.secret = made.secret;
  LIVE.tokenKey = made.tokenKey.secret;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await beacon.stop();
});

function client(options: Partial<BeaconOptions> = {}, url = `ws://127.0.0.1:${port}/ws`): Beacon {
  const c = new Beacon({
    url,
    app: DEV_KEY,
    WebSocket,
    reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
    ...options,
  });
  clients.push(c);
  return c;
}

/** Records what a client sees. */
function watch(c: Beacon) {
  const seen = { disconnects: [] as DisconnectInfo[], connects: 0, messages: [] as Message[] };
  c.on('disconnected', (d) => seen.disconnects.push(d));
  c.on('connected', () => seen.connects++);
  c.on('message', (m) => seen.messages.push(m));
  return seen;
}

async function publish(topic: string, data: unknown, secret?: string): Promise<string> {
  const res = await beacon.api('POST', '/v1/publish', { topic, data }, secret);
  expect(res.status).toBe(200);
  return res.body.id as string;
}

/** Publishes {seq} to `topic` at `rate` per second through the push API (test/support/publisher.ts). */
function publisher(topic: string, rate: number, secret?: string) {
  return publishAtRate(rate, async (seq) => {
    const res = await beacon.api('POST', '/v1/publish', { topic, data: { seq } }, secret);
    if (res.status !== 200) throw new Error(`publish ${seq}: ${res.status} ${JSON.stringify(res.body)}`);
  });
}

describe('@beacon/client end to end', () => {
  it('connects, subscribes, receives, publishes and gets the ack', async () => {
    const c = client();
    const got: unknown[] = [];
    const subscribed: SubscribedInfo[] = [];
    c.subscribe('sdk.news', { message: (m) => got.push(m.data), subscribed: (i) => subscribed.push(i) });
    await waitUntil(() => subscribed.length === 1);
    expect(c.state).toBe('connected');
    expect(c.info?.clientId).toMatch(/^c/);
    await publish('sdk.news', { n: 1 });
    const ack = await c.publish('sdk.news', { n: 2 });
    expect(ack.msgId).toEqual(expect.any(String));
    await waitUntil(() => got.length === 2);
    expect(got).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("works against an app whose default is firetower's frames: it asks for Beacon's", async () => {
    const tower = await beacon.persistence.apps.create({
      name: 'sdk-tower',
      key: 'sdk-tower',
      settings: { allowAnonymous: true, serverFrames: 'firetower' },
    });
    const c = client({ app: 'sdk-tower' });
    const got: unknown[] = [];
    const subscribed: SubscribedInfo[] = [];
    c.subscribe('/chat/world', { message: (m) => got.push(m.data), subscribed: (i) => subscribed.push(i) });
    await waitUntil(() => subscribed.length === 1);
    expect(c.state).toBe('connected');
    await publish('/chat/world', { n: 1 }, tower.secret);
    await waitUntil(() => got.length === 1);
    expect(got).toEqual([{ n: 1 }]);
  });

  it("a refused publish rejects with the server's error code; a refused subscribe reaches its error handler", async () => {
    const token = await signToken(DEV_TOKEN_KEY, {
      sub: 'ro',
      publish: ['allowed.*'],
      subscribe: ['open.*'],
    });
    const c = client({ token });
    await expect(c.publish('other', 1)).rejects.toMatchObject({ name: 'BeaconError', code: 'forbidden' });
    const errors: string[] = [];
    c.subscribe('closed.x', { error: (e) => errors.push(`${e.code} ${e.topic}`) });
    await waitUntil(() => errors.length === 1);
    expect(errors).toEqual(['forbidden closed.x']);
    expect(c.subscription('closed.x')).toBeUndefined();
  });

  it('messages to the user come through the message event', async () => {
    const token = await signToken(DEV_TOKEN_KEY, { sub: 'sdk-alice' });
    const c = client({ token });
    const seen = watch(c);
    await waitUntil(() => c.state === 'connected');
    const res = await beacon.api('POST', '/v1/users/sdk-alice/send', { data: 'hello', topic: 'inbox' });
    expect(res.body.delivered).toBe(1);
    await waitUntil(() => seen.messages.length === 1);
    expect(seen.messages[0]).toMatchObject({ type: 'message', kind: 'user', topic: 'inbox', data: 'hello' });
  });

  it('messages carry their kind: user, client, broadcast', async () => {
    const token = await signToken(DEV_TOKEN_KEY, { sub: 'sdk-kind' });
    const c = client({ token });
    const seen = watch(c);
    await waitUntil(() => c.state === 'connected');
    await beacon.api('POST', '/v1/users/sdk-kind/send', { data: 1 });
    await beacon.api('POST', `/v1/clients/${c.info?.clientId}/send`, { data: 2 });
    await beacon.api('POST', '/v1/broadcast', { data: 3 });
    await waitUntil(() => seen.messages.length === 3);
    expect(seen.messages.map((m) => m.kind)).toEqual(['user', 'client', 'broadcast']);
  });

  it('presence: members with their info, join and leave handlers, stats', async () => {
    const live = (sub: string, name: string) =>
      client({ app: LIVE.key, getToken: () => signToken(LIVE.tokenKey, { sub, info: { name } }) });
    const ann = live('ann', 'Ann');
    const events: string[] = [];
    const room = ann.subscribe('room.1', {
      join: (m) => events.push(`join ${m.userId} ${String(m.info?.name)}`),
      leave: (m) => events.push(`leave ${m.userId}`),
    });
    await waitUntil(() => ann.state === 'connected');
    const bob = live('bob', 'Bob');
    const bobs: SubscribedInfo[] = [];
    const bobRoom = bob.subscribe('room.1', { subscribed: (i) => bobs.push(i) });
    await waitUntil(() => events.length === 1);
    expect(events).toEqual(['join bob Bob']);
    const members = await room.presence();
    expect(members.map((m) => [m.userId, m.info])).toEqual([
      ['ann', { name: 'Ann' }],
      ['bob', { name: 'Bob' }],
    ]);
    expect(await bob.presenceStats('room.1')).toEqual({ clients: 2, users: 2 });
    bobRoom.unsubscribe();
    await waitUntil(() => events.length === 2);
    expect(events[1]).toBe('leave bob');
    await expect(ann.presence('plain')).rejects.toMatchObject({ code: 'no_presence' });
  });

  it('honours a drain: reconnects after the hint of the drain frame, not the backoff', async () => {
    const draining = await startTestBeacon({ BEACON_DRAIN_MS: '3000' });
    const frames: { type: string; reconnectAfterMs?: number }[] = [];
    class Spy extends WebSocket {
      constructor(url: string) {
        super(url);
        this.on('message', (d) => frames.push(JSON.parse(String(d)) as { type: string }));
      }
    }
    const c = client({ WebSocket: Spy }, draining.wsUrl().replace(/\?.*$/, ''));
    const seen = watch(c);
    await waitUntil(() => c.state === 'connected');
    const stopping = draining.stop();
    await waitUntil(() => seen.disconnects.length === 1, 10_000);
    await stopping;
    const drain = frames.find((f) => f.type === 'drain');
    expect(drain?.reconnectAfterMs).toBeGreaterThanOrEqual(250);
    expect(seen.disconnects[0]).toMatchObject({ code: 1012, reconnectInMs: drain?.reconnectAfterMs });
    c.close();
  });

  it('does not retry an unknown app (4004) or a refused fixed token (4001)', async () => {
    const unknown = client({ app: 'no-such-app' });
    const a = watch(unknown);
    const forged = client({ token: await signToken('x'.repeat(43), { sub: 'x' }) });
    const b = watch(forged);
    await waitUntil(() => unknown.state === 'disconnected' && forged.state === 'disconnected');
    expect(a.disconnects).toEqual([expect.objectContaining({ code: 4004, reconnectInMs: null })]);
    expect(b.disconnects).toEqual([expect.objectContaining({ code: 4001, reconnectInMs: null })]);
  });

  it('keeps a connection past its token exp: getToken before exp, the new token sent over the open connection', async () => {
    let calls = 0;
    const c = client({
      getToken: () => {
        calls++;
        return signToken(DEV_TOKEN_KEY, { sub: 'sdk-short' }, '3s');
      },
    });
    const seen = watch(c);
    const got: unknown[] = [];
    c.subscribe('sdk.short', { message: (m) => got.push(m.data) });
    // 3 s tokens: refreshed at half their remaining life; 7 s is past two of them.
    await waitUntil(() => calls >= 4, 15_000);
    expect(seen.disconnects).toEqual([]); // the server takes `refresh`: one connection throughout
    expect(seen.connects).toBe(1);
    await waitUntil(async () => {
      await publish('sdk.short', 'still here');
      return got.length > 0;
    });
  });

  it('a silent connection (no bytes from the server) is dropped by its heartbeat and replaced', async () => {
    const proxy = await StallProxy.start({ host: '127.0.0.1', port });
    try {
      const c = client({ connectTimeoutMs: 1000 }, `ws://${proxy.address}/ws`);
      const seen = watch(c);
      const got: unknown[] = [];
      c.subscribe('sdk.silent', { message: (m) => got.push(m.data) });
      await waitUntil(() => c.state === 'connected');
      proxy.stall('toClient');
      // the server's idle timeout is 3 s; the SDK gives up after the heartbeat timeout it announced
      await waitUntil(() => seen.disconnects.some((d) => d.code === 4009), 10_000);
      expect(c.state).toBe('connecting');
      proxy.resume();
      await waitUntil(() => c.state === 'connected' && seen.connects >= 2, 10_000);
      await waitUntil(async () => {
        await publish('sdk.silent', 'after');
        return got.includes('after');
      });
    } finally {
      await proxy.close();
    }
  });

  it('through a proxy that cuts every connection for 2 s while messages flow, every client reconnects and its subscription works again', async () => {
    const proxy = await CutProxy.start({ host: '127.0.0.1', port });
    const pub = publisher('sdk.flow', 200);
    try {
      const n = 20;
      const subs = Array.from({ length: n }, () => {
        const c = client({}, `ws://${proxy.address}/ws`);
        const seen = watch(c);
        const seqs: number[] = [];
        const acks: SubscribedInfo[] = [];
        c.subscribe('sdk.flow', {
          message: (m) => seqs.push((m.data as { seq: number }).seq),
          subscribed: (i) => acks.push(i),
        });
        return { c, seen, seqs, acks };
      });
      await waitUntil(() => subs.every((s) => s.seqs.length > 10), 10_000);
      const cutAt = Date.now();
      proxy.cut(2000);
      await waitUntil(() => subs.every((s) => s.acks.some((a) => a.resubscribed)), 15_000);
      const back = Date.now() - cutAt;
      expect(back).toBeGreaterThanOrEqual(2000);
      expect(proxy.refused).toBeGreaterThan(0); // they tried during the cut, and were refused
      const from = pub.sent; // publishes started after every client was subscribed again
      await waitUntil(() => subs.every((s) => s.seqs.filter((q) => q >= from).length >= 100), 15_000);
      pub.stop();
      await pub.done;
      const last = pub.sent - 1;
      await waitUntil(() => subs.every((s) => s.seqs.at(-1) === last), 5_000);
      for (const s of subs) {
        expect(s.seen.disconnects.length).toBeGreaterThanOrEqual(1);
        expect(s.c.state).toBe('connected');
        // after the resubscribe: every message, once, in order
        const after = s.seqs.filter((q) => q >= from);
        expect(after).toEqual(Array.from({ length: last - from + 1 }, (_, i) => from + i));
      }
    } finally {
      pub.stop();
      await pub.done;
      await proxy.close();
    }
  });

  it('recovers every message of a history topic exactly once and in order across a 2 s cut at 200 messages/s', async () => {
    // As above, but on a history topic: nothing published during the cut may be missing.
    const proxy = await CutProxy.start({ host: '127.0.0.1', port });
    const pub = publisher('h.flow', 200, LIVE.secret);
    try {
      const subs = Array.from({ length: 20 }, () => {
        const c = client(
          { app: LIVE.key, getToken: () => signToken(LIVE.tokenKey, { sub: 'h' }) },
          `ws://${proxy.address}/ws`,
        );
        const seqs: number[] = [];
        const acks: SubscribedInfo[] = [];
        c.subscribe('h.flow', {
          message: (m) => seqs.push((m.data as { seq: number }).seq),
          subscribed: (i) => acks.push(i),
        });
        return { seqs, acks };
      });
      await waitUntil(() => subs.every((s) => s.seqs.length > 10), 10_000);
      const sentBeforeCut = pub.sent;
      proxy.cut(2000);
      await waitUntil(() => subs.every((s) => s.acks.some((a) => a.resubscribed)), 15_000);
      // well past the cut: every client saw messages published during it and after it
      await waitUntil(() => subs.every((s) => (s.seqs.at(-1) ?? 0) > sentBeforeCut + 600), 15_000);
      pub.stop();
      await pub.done;
      const last = pub.sent - 1;
      await waitUntil(() => subs.every((s) => s.seqs.at(-1) === last), 5_000);
      expect(proxy.refused).toBeGreaterThan(0);
      for (const s of subs) {
        expect(s.acks.filter((a) => a.resubscribed).length).toBeGreaterThanOrEqual(1);
        expect(s.acks.filter((a) => a.resubscribed).every((a) => a.recovered === true)).toBe(true);
        const first = s.seqs[0] as number;
        expect(s.seqs).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
      }
    } finally {
      pub.stop();
      await pub.done;
      await proxy.close();
    }
  });
});
