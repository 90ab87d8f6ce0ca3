import { describe, expect, it } from 'vitest';
import type { cluster } from '@beacon/contracts';
import { ManualClock } from './clock.js';
import { attachGateway } from './test/fake-link.js';
import { TopicRouter } from './topic-router.js';

const LIVENESS = 400;
const member = (nodeId: string, n: number, userId = `u${n}`): cluster.PresenceMember => ({
  clientId: `c${nodeId}.${n}`,
  userId,
  infoJson: `{"n":${n}}`,
});
const entry = (nodeId: string, n: number, topic = 'room'): cluster.PresenceEntry => ({
  appId: 'app',
  topic,
  member: member(nodeId, n),
});

function setup(
  router = new TopicRouter(
    { heartbeatIntervalMs: 100, livenessTimeoutMs: LIVENESS },
    { clock: new ManualClock() },
  ),
) {
  let requestId = 0;
  const gw = (nodeId: string, members: cluster.PresenceEntry[] = [], topics = ['room']) => {
    const { link, session } = attachGateway(router, nodeId, { topics, members });
    const join = (n: number, limit = 10, topic = 'room'): string => {
      const id = ++requestId;
      session.receive({ join: { requestId: id, appId: 'app', topic, member: member(nodeId, n), limit } });
      return link.written.flatMap((m) => (m.joined?.requestId === id ? [m.joined.result] : []))[0] ?? 'none';
    };
    const leave = (n: number, topic = 'room', clientId = `c${nodeId}.${n}`) =>
      session.receive({ leaves: { leaves: [{ appId: 'app', topic, clientId }] } });
    return { link, session, join, leave };
  };
  const members = () =>
    router.topicPresence({ appId: 'app', topic: 'room', limit: 0 }).members.map((m) => m.clientId);
  return { router, gw, members };
}

describe('TopicPresence: the cluster-wide table', () => {
  it('joins and leaves are told to every gateway with subscribers of the topic, the joiner’s included', () => {
    const { gw, members, router } = setup();
    const a = gw('a');
    const b = gw('b');
    const c = gw('c', [], ['elsewhere']);
    expect(a.join(1)).toBe('joined');
    expect(a.join(1)).toBe('present');
    expect(b.join(2)).toBe('joined');
    expect(members()).toEqual(['ca.1', 'cb.2']);
    expect(router.topicPresenceStats({ appId: 'app', topic: 'room', limit: 0 })).toEqual({
      clients: 2,
      users: 2,
    });
    b.leave(2);
    expect(a.link.events()).toEqual(['join room ca.1', 'join room cb.2', 'leave room cb.2']);
    expect(b.link.events()).toEqual(a.link.events());
    expect(c.link.events()).toEqual([]);
    // The info travels as the gateway's JSON text, unparsed.
    expect(a.link.written.find((m) => m.presence)?.presence?.member).toEqual(member('a', 1));
  });

  it('checks the member limit over all gateways', () => {
    const { gw } = setup();
    const a = gw('a');
    const b = gw('b');
    expect(a.join(1, 2)).toBe('joined');
    expect(b.join(2, 2)).toBe('joined');
    expect(b.join(3, 2)).toBe('full');
    a.leave(1);
    expect(b.join(3, 2)).toBe('joined');
  });

  it('refuses a join or leave for a client of another gateway', () => {
    const { gw, members, router } = setup();
    const a = gw('a');
    const b = gw('b');
    a.join(1);
    b.leave(1, 'room', 'ca.1');
    expect(members()).toEqual(['ca.1']);
    b.session.receive({
      join: { requestId: 99, appId: 'app', topic: 'room', member: member('a', 7), limit: 10 },
    });
    expect(members()).toEqual(['ca.1']);
    expect(router.counters()['beacon_topic_service_gateway_input_rejected_total']).toBe(2);
  });

  it('after a restart, the gateways’ snapshots rebuild the table silently', () => {
    const { gw, members } = setup();
    const a = gw('a', [entry('a', 1), entry('a', 2)]);
    const b = gw('b', [entry('b', 3)]);
    expect(members()).toEqual(['ca.1', 'ca.2', 'cb.3']);
    expect([...a.link.events(), ...b.link.events()]).toEqual([]);
  });

  it('a gateway that re-attaches within the liveness timeout is reconciled: only real changes are events', () => {
    const { gw, members } = setup();
    const a = gw('a', [entry('a', 1), entry('a', 2)]);
    const watcher = gw('w');
    a.session.ended(); // stream lost
    expect(members()).toEqual(['ca.1', 'ca.2']); // kept meanwhile
    // Back with ca.2 gone and ca.4 new while it was away.
    const again = gw('a', [entry('a', 1), entry('a', 4)]);
    expect(members()).toEqual(['ca.1', 'ca.4']);
    expect(watcher.link.events()).toEqual(['leave room ca.2', 'join room ca.4']);
    expect(again.link.events()).toEqual(watcher.link.events());
  });

  it('a gateway whose stream ended and that does not come back leaves within the liveness bound', () => {
    const clock = new ManualClock();
    const router = new TopicRouter({ heartbeatIntervalMs: 100, livenessTimeoutMs: LIVENESS }, { clock });
    router.start();
    const { gw, members } = setup(router);
    const a = gw('a', [entry('a', 1)]);
    a.join(2);
    const watcher = gw('w');
    a.session.ended();
    clock.advance(LIVENESS - 1);
    expect(members()).toEqual(['ca.1', 'ca.2']);
    watcher.session.receive({ heartbeat: { stats: undefined } }); // the watcher stays alive
    clock.advance(LIVENESS / 4 + 1); // the next sweep
    expect(members()).toEqual([]);
    expect(watcher.link.events()).toEqual(['leave room ca.1', 'leave room ca.2']);
    router.close();
  });

  it('a gateway removed by the liveness timeout leaves at once', () => {
    const clock = new ManualClock();
    const router = new TopicRouter({ heartbeatIntervalMs: 100, livenessTimeoutMs: LIVENESS }, { clock });
    const { gw, members } = setup(router);
    gw('a', [entry('a', 1)]);
    const watcher = gw('w');
    clock.advance(LIVENESS + 1);
    watcher.session.receive({ heartbeat: { stats: undefined } });
    router.sweep();
    expect(members()).toEqual([]);
    expect(watcher.link.events()).toEqual(['leave room ca.1']);
  });
});
