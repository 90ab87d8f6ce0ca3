import { describe, expect, it } from 'vitest';
import type { cluster } from '@beacon/contracts';
import { ManualClock } from './clock.js';
import { TopicRouter, type AttachSession } from './topic-router.js';
import { FakeLink } from './test/fake-link.js';

const data = Buffer.from('{"x":1}');
const entry = (key: string, count = 1, appId = 'app') => ({ appId, key, count });

function setup(opts: { commandTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const router = new TopicRouter(
    { heartbeatIntervalMs: 100, livenessTimeoutMs: 400, commandTimeoutMs: opts.commandTimeoutMs ?? 200 },
    { clock },
  );
  const gw = (nodeId: string, topics: string[] = [], users: string[] = []) => {
    const link = new FakeLink();
    const session: AttachSession = router.attach(link);
    session.receive({ register: { nodeId, address: `${nodeId}:1` } });
    session.receive({
      snapshot: {
        topics: topics.map((t) => entry(t)),
        users: users.map((u) => entry(u)),
        slots: [],
        members: [],
      },
    });
    return { link, session, nodeId };
  };
  return { clock, router, gw };
}

describe('TopicRouter: attach and interest', () => {
  it('answers register with the heartbeat and liveness settings', () => {
    const { gw } = setup();
    expect(gw('n1').link.written[0]).toEqual({
      registered: { heartbeatIntervalMs: 100, livenessTimeoutMs: 400 },
    });
  });

  it('a snapshot replaces the interest; deltas update it; sums are over gateways', () => {
    const { router, gw } = setup();
    const a = gw('a', ['t1', 't2']);
    gw('b', ['t1']);
    a.session.receive({
      snapshot: { topics: [entry('t2', 3)], users: [entry('u', 2)], slots: [], members: [] },
    });
    const counts = () => router.topicSubscribers({ appId: 'app', topics: ['t1', 't2'] }).topics;
    expect(counts()).toEqual([
      { topic: 't1', subscribers: 1 },
      { topic: 't2', subscribers: 3 },
    ]);
    a.session.receive({
      delta: { topics: [entry('t2', 0), entry('t1', 4)], users: [], slots: [], members: [] },
    });
    expect(counts()).toEqual([
      { topic: 't1', subscribers: 5 },
      { topic: 't2', subscribers: 0 },
    ]);
    expect(router.presence({ appId: 'app', userId: 'u' })).toEqual({ online: true, connections: 2 });
  });

  it('ends a stream whose first message is not register, and one that registers twice', () => {
    const { router, gw } = setup();
    const link = new FakeLink();
    router.attach(link).receive({ snapshot: { topics: [entry('t')], users: [], slots: [], members: [] } });
    expect(link.closedWith).toMatchObject({ code: 'not_registered' });
    const g = gw('n1', ['t']);
    g.session.receive({ register: { nodeId: 'n1', address: '' } });
    expect(g.link.closedWith).toMatchObject({ code: 'not_registered' });
    expect(router.topicSubscribers({ appId: 'app', topics: ['t'] }).topics[0]?.subscribers).toBe(0);
  });

  it('a second Attach with the same node id replaces the first', () => {
    const { router, gw } = setup();
    const first = gw('n1', ['t']);
    const second = gw('n1', ['u']);
    expect(first.link.closedWith).toMatchObject({ code: 'replaced' });
    first.session.receive({ snapshot: { topics: [entry('stale')], users: [], slots: [], members: [] } }); // ignored
    first.session.ended(); // the old stream's end does not remove the new gateway
    expect(router.registry.get('n1')?.link).toBe(second.link);
    expect(router.listTopics({ appId: 'app', prefix: '', limit: 0 }).topics).toEqual([
      { topic: 'u', subscribers: 1 },
    ]);
  });

  it('ending the stream removes the gateway with all its interest', () => {
    const { router, gw } = setup();
    const g = gw('n1', ['t'], ['u']);
    g.session.ended();
    expect(router.registry.size).toBe(0);
    expect(router.presence({ appId: 'app', userId: 'u' }).online).toBe(false);
    expect(router.listTopics({ appId: 'app', prefix: '', limit: 0 }).topics).toEqual([]);
  });

  it('bounds the entries in one snapshot', () => {
    const clock = new ManualClock();
    const router = new TopicRouter(
      {
        heartbeatIntervalMs: 100,
        livenessTimeoutMs: 400,
        commandTimeoutMs: 100,
        limits: { maxEntriesPerInterest: 2 },
      },
      { clock },
    );
    const link = new FakeLink();
    const s = router.attach(link);
    s.receive({ register: { nodeId: 'n1', address: '' } });
    s.receive({
      snapshot: { topics: [entry('a'), entry('b'), entry('c')], users: [], slots: [], members: [] },
    });
    expect(link.closedWith).toMatchObject({ code: 'too_large' });
    expect(router.registry.size).toBe(0);
  });
});

describe('TopicRouter: routing', () => {
  it('a publish reaches exactly the gateways with interest in the topic, one object for all', () => {
    const { router, gw } = setup();
    const a = gw('a', ['t']);
    const b = gw('b', ['t', 'other']);
    const c = gw('c', ['other']);
    const reply = router.publish({ appId: 'app', topics: ['t'], dataJson: data, history: [] });
    expect(reply.id).toMatch(/^m[A-Za-z0-9_-]{11}\.1$/);
    expect(a.link.messages()).toEqual([
      {
        appId: 'app',
        target: { topic: 't' },
        topic: 't',
        dataJson: data,
        id: reply.id,
        ts: reply.ts,
        topics: [],
        positions: [],
        requestId: 0,
        history: [],
      },
    ]);
    expect(b.link.messages()[0]).toBe(a.link.messages()[0]);
    expect(c.link.messages()).toEqual([]);
    expect(router.publish({ appId: 'other-app', topics: ['t'], dataJson: data, history: [] }).id).toMatch(
      /\.2$/,
    );
    expect(a.link.messages()).toHaveLength(1);
    expect(router.clusterStats()).toMatchObject({ messagesRoutedTotal: 2, deliveriesSentTotal: 2 });
  });

  it('a client publish goes to the other interested gateways only', () => {
    const { gw } = setup();
    const a = gw('a', ['t']);
    const b = gw('b', ['t']);
    const c = gw('c', []);
    const m = {
      appId: 'app',
      target: { topic: 't' },
      topic: 't',
      dataJson: data,
      id: 'ma.1',
      ts: 1,
      topics: [],
      positions: [],
      requestId: 0,
      history: [],
    };
    a.session.receive({ publish: m });
    expect(a.link.messages()).toEqual([]);
    expect(b.link.messages()).toEqual([m]);
    expect(c.link.messages()).toEqual([]);
  });

  it('a client publish naming 100 topics becomes one message per interested gateway, with its topics', () => {
    const { router, gw } = setup();
    const topics = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const a = gw('a', topics);
    const b = gw('b', topics.slice(0, 60));
    const c = gw('c', ['t99', 'unrelated']);
    const d = gw('d', ['unrelated']);
    a.session.receive({
      publish: {
        appId: 'app',
        target: undefined,
        dataJson: data,
        id: 'ma.1',
        ts: 1,
        topics,
        positions: [],
        requestId: 0,
        history: [],
      },
    });
    expect(a.link.messages()).toEqual([]);
    expect(b.link.messages()).toEqual([
      {
        appId: 'app',
        target: undefined,
        dataJson: data,
        id: 'ma.1',
        ts: 1,
        topics: topics.slice(0, 60),
        positions: [],
        requestId: 0,
        history: [],
      },
    ]);
    // One topic left: the single-topic form, which every gateway version reads.
    expect(c.link.messages()).toEqual([
      {
        appId: 'app',
        target: { topic: 't99' },
        topic: 't99',
        dataJson: data,
        id: 'ma.1',
        ts: 1,
        topics: [],
        positions: [],
        requestId: 0,
        history: [],
      },
    ]);
    expect(d.link.messages()).toEqual([]);
    expect(router.clusterStats()).toMatchObject({ messagesRoutedTotal: 100, deliveriesSentTotal: 2 });
  });

  it('a client publish past 100 topics, or with one bad topic, is dropped whole and counted', () => {
    const { router, gw } = setup();
    const a = gw('a');
    const b = gw('b', ['t0', 't1']);
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
    const publish = (topics: string[]) =>
      a.session.receive({
        publish: {
          appId: 'app',
          target: undefined,
          dataJson: data,
          id: 'ma.1',
          ts: 1,
          topics,
          positions: [],
          requestId: 0,
          history: [],
        },
      });
    publish(many);
    publish(['t0', 'bad topic']);
    publish([]);
    expect(b.link.messages()).toEqual([]);
    expect(router.counters()['beacon_topic_service_gateway_input_rejected_total']).toBe(3);
    expect(router.registry.size).toBe(2); // the stream stays up
    publish(['t0', 't0', 't1']); // duplicates count once
    expect(b.link.messages().map((m) => m.topics)).toEqual([['t0', 't1']]);
  });

  it('a push-API publish to several topics sends each gateway one message', () => {
    const { router, gw } = setup();
    const a = gw('a', ['x', 'y', 'z']);
    const b = gw('b', ['y']);
    const reply = router.publish({ appId: 'app', topics: ['x', 'y', 'z'], dataJson: data, history: [] });
    expect(a.link.messages()).toEqual([
      {
        appId: 'app',
        target: undefined,
        dataJson: data,
        id: reply.id,
        ts: reply.ts,
        topics: ['x', 'y', 'z'],
        positions: [],
        requestId: 0,
        history: [],
      },
    ]);
    expect(b.link.messages()).toMatchObject([{ target: { topic: 'y' }, topic: 'y', topics: [] }]);
  });

  it('rejects bad push-API input with invalid_argument', () => {
    const { router } = setup();
    const bad = (f: () => unknown) =>
      expect(f).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    bad(() => router.publish({ appId: '', topics: ['t'], dataJson: data, history: [] }));
    bad(() => router.publish({ appId: 'app', topics: ['bad topic'], dataJson: data, history: [] }));
    bad(() => router.publish({ appId: 'app', topics: [], dataJson: data, history: [] }));
    bad(() => router.publish({ appId: 'app', topics: ['t'], dataJson: Buffer.alloc(0), history: [] }));
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
    bad(() => router.publish({ appId: 'app', topics: many, dataJson: data, history: [] }));
    bad(() => router.presence({ appId: 'app', userId: '' }));
  });

  it('lists topics busiest first, then by name, with prefix and limit', () => {
    const { router, gw } = setup();
    const a = gw('a');
    a.session.receive({
      snapshot: {
        topics: [entry('news.b', 2), entry('news.a', 2), entry('x', 9)],
        users: [],
        slots: [],
        members: [],
      },
    });
    gw('b', ['news.c']);
    expect(router.listTopics({ appId: 'app', prefix: 'news.', limit: 0 }).topics.map((t) => t.topic)).toEqual(
      ['news.a', 'news.b', 'news.c'],
    );
    expect(router.listTopics({ appId: 'app', prefix: '', limit: 1 }).topics).toEqual([
      { topic: 'x', subscribers: 9 },
    ]);
  });
});

describe('TopicRouter: commands', () => {
  const answer = (g: { link: FakeLink; session: AttachSession }, count: number) => {
    const cmd = g.link.commands().at(-1) as cluster.Command;
    g.session.receive({ result: { requestId: cmd.requestId, count } });
  };

  it('a send to a user goes to the gateways having the user and sums their results', async () => {
    const { router, gw } = setup();
    const a = gw('a', [], ['u']);
    const b = gw('b', [], ['u']);
    const c = gw('c', [], ['v']);
    const p = router.send({ appId: 'app', target: { userId: 'u' }, dataJson: data });
    expect(c.link.commands()).toEqual([]);
    expect(a.link.commands()[0]?.send).toMatchObject({ appId: 'app', target: { userId: 'u' } });
    answer(a, 2);
    answer(b, 1);
    await expect(p).resolves.toMatchObject({ delivered: 3 });
  });

  it('a send to a client goes to its gateway only; an unknown gateway gives 0', async () => {
    const { router, gw } = setup();
    const a = gw('nodeA');
    const b = gw('nodeB');
    const p = router.send({ appId: 'app', target: { clientId: 'cnodeB.7' }, dataJson: data });
    expect(a.link.commands()).toEqual([]);
    answer(b, 1);
    await expect(p).resolves.toMatchObject({ delivered: 1 });
    await expect(
      router.send({ appId: 'app', target: { clientId: 'cgone.1' }, dataJson: data }),
    ).resolves.toMatchObject({
      delivered: 0,
    });
    await expect(
      router.send({ appId: 'app', target: { clientId: 'nope' }, dataJson: data }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('a gateway that does not answer in time counts 0 and is counted as timed out', async () => {
    const { router, gw, clock } = setup({ commandTimeoutMs: 200 });
    const a = gw('a');
    gw('b');
    const p = router.disconnect({ appId: 'app', userId: 'u' });
    await expect(p).resolves.toEqual({ disconnected: 0 });
    const q = router.send({ appId: 'app', target: { broadcast: true }, dataJson: data });
    answer(a, 4);
    clock.advance(200);
    await expect(q).resolves.toMatchObject({ delivered: 4 });
    expect(router.counters()['beacon_topic_service_commands_timed_out_total']).toBe(1);
  });
});

describe('TopicRouter: liveness', () => {
  it('removes a silent gateway within 1.25 x the liveness timeout; heartbeating ones stay', () => {
    const { router, gw, clock } = setup();
    router.start();
    const silent = gw('silent', ['t']);
    const alive = gw('alive', ['t']);
    for (let t = 0; t < 500; t += 50) {
      clock.advance(50);
      alive.session.receive({ heartbeat: { stats: undefined } });
    }
    expect(router.registry.get('silent')).toBeUndefined();
    expect(silent.link.closedWith).toMatchObject({ code: 'expired' });
    expect(router.registry.get('alive')).toBeDefined();
    expect(router.topicSubscribers({ appId: 'app', topics: ['t'] }).topics[0]?.subscribers).toBe(1);
    expect(router.counters()['beacon_topic_service_gateways_expired_total']).toBe(1);
    router.close();
    expect(alive.link.closedWith).toMatchObject({ code: 'shutting_down' });
  });

  it('drops a gateway that stops reading its stream', () => {
    const clock = new ManualClock();
    const router = new TopicRouter(
      {
        heartbeatIntervalMs: 100,
        livenessTimeoutMs: 400,
        commandTimeoutMs: 100,
        limits: { maxQueuedPerGateway: 1 },
      },
      { clock },
    );
    const link = new FakeLink();
    const s = router.attach(link);
    s.receive({ register: { nodeId: 'n1', address: '' } });
    s.receive({ snapshot: { topics: [entry('t')], users: [], slots: [], members: [] } });
    link.queued = 1;
    router.publish({ appId: 'app', topics: ['t'], dataJson: data, history: [] });
    expect(link.closedWith).toMatchObject({ code: 'slow_gateway' });
    expect(router.registry.size).toBe(0);
  });

  it('drops a gateway whose stream holds more bytes than the bound, whatever the message count', () => {
    const clock = new ManualClock();
    const router = new TopicRouter(
      {
        heartbeatIntervalMs: 100,
        livenessTimeoutMs: 400,
        commandTimeoutMs: 100,
        limits: { maxQueuedBytesPerGateway: 1024 * 1024 },
      },
      { clock },
    );
    const link = new FakeLink();
    const s = router.attach(link);
    s.receive({ register: { nodeId: 'n1', address: '' } });
    s.receive({ snapshot: { topics: [entry('t')], users: [], slots: [], members: [] } });
    link.queued = 3;
    link.queuedBytes = 1024 * 1024;
    router.publish({ appId: 'app', topics: ['t'], dataJson: data, history: [] });
    expect(link.closedWith).toMatchObject({ code: 'slow_gateway' });
    expect(router.counters()['beacon_topic_service_gateways_slow_total']).toBe(1);
  });
});
