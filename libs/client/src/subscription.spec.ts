import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageFrame } from '@beacon/protocol';
import { Beacon } from './beacon.js';
import type { BeaconError } from './errors.js';
import { fakeWebSocket, type FakeSocket } from './test/fake-socket.js';
import type { SubscribedInfo } from './types.js';

// Subscriptions across reconnects, recovery on history topics and presence, with a fake socket and clock.

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const fake = fakeWebSocket();
  const beacon = new Beacon({
    url: 'ws://beacon.test/ws',
    app: 'app1',
    WebSocket: fake.WebSocket,
    reconnect: { jitter: false, minDelayMs: 100 },
  });
  /** Ends the current connection and accepts the next one. */
  const reconnect = (): FakeSocket => {
    fake.last().end(1006);
    vi.advanceTimersByTime(100);
    fake.last().accept();
    return fake.last();
  };
  return { beacon, ...fake, reconnect };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

function recorder() {
  const got: unknown[] = [];
  const subscribed: SubscribedInfo[] = [];
  const errors: BeaconError[] = [];
  return {
    got,
    subscribed,
    errors,
    handlers: {
      message: (m: MessageFrame) => got.push(m.offset ?? m.data),
      subscribed: (i: SubscribedInfo) => subscribed.push(i),
      error: (e: BeaconError) => errors.push(e),
    },
  };
}

const msg = (topic: string, offset: number, epoch = 'e1'): MessageFrame => ({
  type: 'message',
  kind: 'topic',
  topic,
  data: `#${offset}`,
  id: `m${offset}`,
  ts: 1,
  offset,
  epoch,
});

function ackLast(ws: FakeSocket, extra: Record<string, unknown> = {}): void {
  const f = ws.of('subscribe').at(-1);
  ws.frame({ type: 'ack', id: f?.id as number, topics: f?.topics, ...extra });
}

describe('subscribe', () => {
  it('sends the subscriptions of one tick in one frame, once connected', async () => {
    const { beacon, last } = setup();
    const a = recorder();
    beacon.subscribe('a', a.handlers);
    beacon.subscribe('b');
    last().accept();
    beacon.subscribe('c');
    beacon.subscribe('d');
    await flush();
    expect(
      last()
        .of('subscribe')
        .map((f) => f.topics),
    ).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    ackLast(last());
    last().frame({ type: 'message', kind: 'topic', topic: 'a', data: 'hi', id: 'm', ts: 1 });
    expect(a.got).toEqual(['hi']);
  });

  it('splits into frames of at most maxTopics', async () => {
    const { beacon, last } = setup();
    for (let i = 0; i < 5; i++) beacon.subscribe(`t${i}`);
    last().accept({
      limits: {
        maxFrameBytes: 65536,
        maxTopics: 2,
        maxPublishTopics: 2,
        maxTopicLength: 200,
        publishRate: 10,
        publishBurst: 20,
      },
    });
    await flush();
    expect(
      last()
        .of('subscribe')
        .map((f) => f.topics),
    ).toEqual([['t0', 't1'], ['t2', 't3'], ['t4']]);
  });

  it('restores every subscription after a reconnect and tells each it was resubscribed', async () => {
    const { beacon, last, reconnect } = setup();
    const a = recorder();
    beacon.subscribe('a', a.handlers);
    beacon.subscribe('b');
    last().accept();
    ackLast(last());
    await flush();
    const ws = reconnect();
    expect(ws.of('subscribe')).toEqual([{ type: 'subscribe', topics: ['a', 'b'], id: expect.any(Number) }]);
    ackLast(ws);
    await flush();
    expect(a.subscribed).toEqual([{ resubscribed: false }, { resubscribed: true }]);
  });

  it('unsubscribe tells the server, stops deliveries and is not restored', async () => {
    const { beacon, last, reconnect } = setup();
    const a = recorder();
    const sub = beacon.subscribe('a', a.handlers);
    beacon.subscribe('b');
    last().accept();
    ackLast(last());
    sub.unsubscribe();
    expect(last().of('unsubscribe')).toEqual([{ type: 'unsubscribe', topic: 'a' }]);
    last().frame(msg('a', 1));
    expect(a.got).toEqual([]);
    const ws = reconnect();
    expect(ws.of('subscribe').map((f) => f.topics)).toEqual([['b']]);
    expect(() => beacon.subscribe('b')).toThrow(/already subscribed/);
    expect(beacon.subscribe('a')).not.toBe(sub);
  });

  it('a refused subscribe in a batch is found by retrying its topics one by one', async () => {
    const { beacon, last } = setup();
    const ok = recorder();
    const bad = recorder();
    beacon.subscribe('ok', ok.handlers);
    beacon.subscribe('secret', bad.handlers);
    last().accept();
    const ws = last();
    const [batch] = ws.of('subscribe');
    ws.frame({ type: 'error', id: batch?.id, code: 'forbidden', message: 'not allowed' });
    await flush();
    const single = ws.of('subscribe').slice(1);
    expect(single.map((f) => f.topics)).toEqual([['ok'], ['secret']]);
    ws.frame({ type: 'ack', id: single[0]?.id as number, topics: ['ok'] });
    ws.frame({ type: 'error', id: single[1]?.id, code: 'forbidden', message: 'not allowed' });
    await flush();
    expect(ok.subscribed).toEqual([{ resubscribed: false }]);
    expect(bad.errors.map((e) => [e.code, e.topic])).toEqual([['forbidden', 'secret']]);
    expect(beacon.subscription('secret')).toBeUndefined();
    expect(beacon.subscription('ok')).toBeDefined();
  });
});

describe('recovery on history topics', () => {
  async function streamed(offsets: number[]) {
    const s = setup();
    const a = recorder();
    s.beacon.subscribe('h', a.handlers);
    s.last().accept();
    ackLast(s.last());
    await flush();
    for (const o of offsets) s.last().frame(msg('h', o));
    return { ...s, a };
  }

  it('drops a delivery at or before the last offset of the same epoch', async () => {
    const { a, last } = await streamed([1, 2, 2, 3, 1, 4]);
    last().frame(msg('h', 3));
    expect(a.got).toEqual([1, 2, 3, 4]);
  });

  it('resubscribes with since = the last position delivered', async () => {
    const { reconnect } = await streamed([1, 2, 3]);
    const ws = reconnect();
    expect(ws.of('subscribe')).toEqual([
      { type: 'subscribe', topics: ['h'], since: { h: { offset: 3, epoch: 'e1' } }, id: expect.any(Number) },
    ]);
  });

  it('delivers what was missed exactly once and in order, however replay and live deliveries interleave', async () => {
    const { a, reconnect } = await streamed([1, 2, 3]);
    const ws = reconnect();
    // before the ack: a live delivery ahead of the replay, duplicates of what was delivered, the replay
    for (const o of [6, 2, 3, 4, 5, 4]) ws.frame(msg('h', o));
    expect(a.got).toEqual([1, 2, 3]); // held until the ack
    ackLast(ws, { recovery: { h: { recovered: true, offset: 6, epoch: 'e1' } } });
    await flush();
    expect(a.got).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.subscribed).toEqual([{ resubscribed: false }, { resubscribed: true, recovered: true }]);
    for (const o of [6, 7]) ws.frame(msg('h', o));
    expect(a.got).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // and the next reconnect asks from 7
    expect(reconnect().of('subscribe')[0]?.since).toEqual({ h: { offset: 7, epoch: 'e1' } });
  });

  it('raises recovered: false when the server cannot replay, and follows the new stream', async () => {
    const { a, reconnect } = await streamed([1, 2, 3]);
    const ws = reconnect();
    ackLast(ws, { recovery: { h: { recovered: false, offset: 2, epoch: 'e2' } } });
    await flush();
    expect(a.subscribed.at(-1)).toEqual({ resubscribed: true, recovered: false });
    for (const o of [1, 2, 3]) ws.frame(msg('h', o, 'e2'));
    expect(a.got).toEqual([1, 2, 3, 3]); // e2's 1 and 2 are at or before the position the ack gave
    expect(reconnect().of('subscribe')[0]?.since).toEqual({ h: { offset: 3, epoch: 'e2' } });
  });

  it('a subscribe ack carrying the stream position lets the first reconnect recover before any delivery', async () => {
    const { beacon, last, reconnect } = setup();
    beacon.subscribe('h');
    last().accept();
    ackLast(last(), { positions: { h: { offset: 41, epoch: 'e1' } } });
    await flush();
    expect(reconnect().of('subscribe')[0]?.since).toEqual({ h: { offset: 41, epoch: 'e1' } });
  });

  it('a connection lost before the ack of a recovering subscribe asks again from the same position', async () => {
    const { a, reconnect } = await streamed([1, 2]);
    let ws = reconnect();
    ws.frame(msg('h', 3));
    ws = reconnect();
    expect(ws.of('subscribe')[0]?.since).toEqual({ h: { offset: 2, epoch: 'e1' } });
    for (const o of [3, 4]) ws.frame(msg('h', o));
    ackLast(ws, { recovery: { h: { recovered: true, offset: 4, epoch: 'e1' } } });
    await flush();
    expect(a.got).toEqual([1, 2, 3, 4]);
  });
});

describe('presence', () => {
  it('presence() and presenceStats() answer from the presence frames', async () => {
    const { beacon, last } = setup();
    last().accept();
    const sub = beacon.subscribe('room');
    const members = sub.presence();
    const stats = beacon.presenceStats('room');
    const [p] = last().of('presence');
    const [ps] = last().of('presence_stats');
    expect(p).toEqual({ type: 'presence', topic: 'room', id: expect.any(Number) });
    const member = { clientId: 'c1', userId: 'alice', info: { name: 'Alice' } };
    last().frame({ type: 'presence', id: p?.id, topic: 'room', members: [member] });
    last().frame({ type: 'presence_stats', id: ps?.id, topic: 'room', clients: 3, users: 2 });
    await expect(members).resolves.toEqual([member]);
    await expect(stats).resolves.toEqual({ clients: 3, users: 2 });
  });

  it('join and leave handlers ask for join/leave frames and get them', async () => {
    const { beacon, last } = setup();
    const seen: unknown[] = [];
    beacon.subscribe('room', {
      join: (m) => seen.push(['join', m.userId]),
      leave: (m) => seen.push(['leave', m.userId]),
    });
    beacon.subscribe('plain');
    last().accept();
    await flush();
    expect(last().of('subscribe')).toEqual([
      { type: 'subscribe', topics: ['plain'], id: expect.any(Number) },
      { type: 'subscribe', topics: ['room'], joinLeave: true, id: expect.any(Number) },
    ]);
    last().frame({ type: 'join', topic: 'room', clientId: 'c2', userId: 'bob', info: null });
    last().frame({ type: 'leave', topic: 'room', clientId: 'c2', userId: 'bob', info: null });
    last().frame({ type: 'join', topic: 'elsewhere', clientId: 'c3', userId: 'eve', info: null });
    expect(seen).toEqual([
      ['join', 'bob'],
      ['leave', 'bob'],
    ]);
  });
});
