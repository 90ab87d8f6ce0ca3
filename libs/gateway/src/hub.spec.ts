import { MetricsRegistry } from '@beacon/metrics';
import { CloseCode, compilePatterns } from '@beacon/protocol';
import { describe, expect, it, vi } from 'vitest';
import { Connection, ConnState } from './connection.js';
import { Hub } from './hub.js';

const LIMITS = {
  frameRate: 10,
  frameBurst: 10,
  publishRate: 10,
  publishBurst: 10,
  maxTopics: 100,
  maxDataBytes: 65536,
};

function fakeConn(id: string, appId: string, userId: string | null = null, buffered = 0) {
  const writes: Buffer[] = [];
  const raw = {
    writableLength: buffered,
    write: (b: Buffer) => writes.push(b),
    corks: 0,
    cork() {
      raw.corks++;
    },
    uncork() {},
  };
  const conn = new Connection(id, {} as never, raw as never, '127.0.0.1', LIMITS, 0);
  conn.identify({
    appId,
    appKey: appId,
    userId,
    claims: {},
    canSubscribe: compilePatterns(['**']),
    canPublish: compilePatterns([]),
    expiresAt: 0,
    keyId: null,
    info: null,
  });
  conn.state = ConnState.Open;
  return { conn, writes, raw };
}

const msg = (appId: string, topic?: string) => ({ appId, topic, dataJson: '{"a":1}', id: 'm.1', ts: 5 });

/** Deliveries are written when the current event-loop turn ends. */
const turnEnds = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Hub', () => {
  it('frames a delivery once and writes the very same Buffer to every recipient', async () => {
    const hub = new Hub('n1', 1 << 20, new MetricsRegistry());
    const subs = [fakeConn('c1', 'app'), fakeConn('c2', 'app'), fakeConn('c3', 'app')];
    for (const s of subs) {
      hub.add(s.conn);
      hub.subscribe(s.conn, ['t']);
    }
    expect(hub.deliver({ kind: 'topic', topic: 't' }, msg('app', 't'))).toBe(3);
    await turnEnds();
    const first = subs[0]!.writes[0]!;
    for (const s of subs) {
      expect(s.writes).toHaveLength(1);
      expect(s.writes[0]).toBe(first);
    }
    const text = first.subarray(2).toString();
    expect(JSON.parse(text)).toEqual({
      type: 'message',
      kind: 'topic',
      topic: 't',
      data: { a: 1 },
      id: 'm.1',
      ts: 5,
    });
  });

  it('keeps apps apart and indexes users and clients', async () => {
    const hub = new Hub('n1', 1 << 20, new MetricsRegistry());
    const a = fakeConn('c1', 'A', 'u');
    const b = fakeConn('c2', 'B', 'u');
    for (const s of [a, b]) {
      hub.add(s.conn);
      hub.subscribe(s.conn, ['t']);
    }
    expect(hub.deliver({ kind: 'topic', topic: 't' }, msg('A', 't'))).toBe(1);
    expect(hub.deliver({ kind: 'user', userId: 'u' }, msg('B'))).toBe(1);
    expect(hub.deliver({ kind: 'client', clientId: 'c1' }, msg('B'))).toBe(0); // c1 belongs to A
    expect(hub.deliver({ kind: 'broadcast' }, msg('A'))).toBe(1);
    await turnEnds();
    expect([a.writes.length, b.writes.length]).toEqual([2, 1]);
    expect(hub.presence('A', 'u')).toBe(1);
    expect([...hub.topics('B')]).toEqual([{ topic: 't', subscribers: 1 }]);
  });

  it('coalesces the deliveries of one turn into one corked write per socket, in order', async () => {
    const hub = new Hub('n1', 1 << 20, new MetricsRegistry());
    const a = fakeConn('c1', 'A');
    hub.add(a.conn);
    hub.subscribe(a.conn, ['t']);
    for (const id of ['m.1', 'm.2', 'm.3'])
      hub.deliver({ kind: 'topic', topic: 't' }, { ...msg('A', 't'), id });
    expect(a.writes).toHaveLength(0);
    await turnEnds();
    expect(a.raw.corks).toBe(1);
    expect(a.writes.map((w) => (JSON.parse(w.subarray(2).toString()) as { id: string }).id)).toEqual([
      'm.1',
      'm.2',
      'm.3',
    ]);
  });

  it('counts queued bytes against the budget', () => {
    const hub = new Hub('n1', 170, new MetricsRegistry()); // two 78-byte frames fit, three do not
    const slowConsumer = vi.fn();
    hub.events = { slowConsumer, kick: vi.fn() };
    const a = fakeConn('c1', 'A');
    hub.add(a.conn);
    hub.subscribe(a.conn, ['t']);
    expect(hub.deliver({ kind: 'topic', topic: 't' }, msg('A', 't'))).toBe(1);
    expect(hub.deliver({ kind: 'topic', topic: 't' }, msg('A', 't'))).toBe(1);
    expect(hub.deliver({ kind: 'topic', topic: 't' }, msg('A', 't'))).toBe(0);
    expect(slowConsumer).toHaveBeenCalledOnce();
  });

  it('reports interest changes and releases everything on remove', () => {
    const hub = new Hub('n1', 1 << 20, new MetricsRegistry());
    const calls: unknown[][] = [];
    hub.watchInterest({
      topicInterest: (...a) => calls.push(['topic', ...a]),
      userInterest: (...a) => calls.push(['user', ...a]),
    });
    const a = fakeConn('c1', 'A', 'u');
    hub.add(a.conn);
    hub.subscribe(a.conn, ['x', 'y', 'x']);
    expect(hub.interest()).toEqual({
      topics: [
        { appId: 'A', key: 'x', count: 1 },
        { appId: 'A', key: 'y', count: 1 },
      ],
      users: [{ appId: 'A', key: 'u', count: 1 }],
    });
    hub.remove(a.conn);
    hub.remove(a.conn);
    expect(calls).toEqual([
      ['user', 'A', 'u', 1],
      ['topic', 'A', 'x', 1],
      ['topic', 'A', 'y', 1],
      ['topic', 'A', 'x', 0],
      ['topic', 'A', 'y', 0],
      ['user', 'A', 'u', 0],
    ]);
    expect(hub.connectionCount()).toBe(0);
    expect(hub.presence('A', 'u')).toBe(0);
    expect([...hub.topics('A')]).toEqual([]);
  });

  it('does not write past the outbound budget: it reports a slow consumer instead', () => {
    const hub = new Hub('n1', 1000, new MetricsRegistry());
    const slowConsumer = vi.fn();
    hub.events = { slowConsumer, kick: vi.fn() };
    const ok = fakeConn('c1', 'A');
    const slow = fakeConn('c2', 'A', null, 990);
    for (const s of [ok, slow]) {
      hub.add(s.conn);
      hub.subscribe(s.conn, ['t']);
    }
    expect(hub.deliver({ kind: 'topic', topic: 't' }, msg('A', 't'))).toBe(1);
    expect(slow.writes).toHaveLength(0);
    expect(slowConsumer).toHaveBeenCalledWith(slow.conn, 990);
  });

  it('reports its counts as typed stats, the same numbers its metrics show', () => {
    const metrics = new MetricsRegistry();
    const hub = new Hub('n1', 1 << 20, metrics);
    const a = fakeConn('c1', 'A');
    const b = fakeConn('c2', 'B');
    hub.add(a.conn);
    hub.add(b.conn);
    hub.subscribe(a.conn, ['t', 'u']);
    hub.subscribe(b.conn, ['t']);
    hub.deliver({ kind: 'topic', topic: 't' }, msg('A', 't'));
    hub.deliver({ kind: 'topic', topic: 'none' }, msg('A', 'none'));
    hub.countClose(CloseCode.SlowConsumer);
    hub.countClose('client');
    const s = hub.stats();
    expect(s).toMatchObject({
      connections: 2,
      subscriptions: 3,
      topics: 3,
      deliveries: 1,
      messagesRouted: 2,
      clientCloses: 1,
    });
    expect(s.deliveredBytes).toBeGreaterThan(0);
    expect(s.serverCloses[CloseCode.SlowConsumer]).toBe(1);
    expect(s.serverCloses[CloseCode.Kicked]).toBe(0);
    const m = metrics.snapshot();
    expect(m.beacon_connections).toBe(s.connections);
    expect(m.beacon_topics).toBe(s.topics);
    expect(m.beacon_deliveries_total).toBe(s.deliveries);
    expect(m.beacon_closed_4008_total).toBe(1);
    expect(m.beacon_client_disconnects_total).toBe(1);
  });
});
