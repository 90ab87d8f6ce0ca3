import { describe, expect, it } from 'vitest';
import type { ApiApp } from './ports.js';
import { PushApiException } from './push-api.exception.js';
import { isRefusal, type AuditScope, type PushCall } from './push-call.js';
import { PushUseCases, type PushRouter, type PushWire } from './push-use-cases.js';

/** A router that records what it was asked and answers from `answers`; `fail` makes every call reject. */
function fakeRouter() {
  const calls: string[] = [];
  const state = { fail: false, delivered: 1, subscribers: 3 };
  const ok = async <T>(call: string, value: T): Promise<T> => {
    calls.push(call);
    if (state.fail) throw new Error('link down');
    return value;
  };
  const router: PushRouter = {
    publish: (app, topics, data) => ok(`publish ${app} ${topics.join(',')} ${data}`, { id: 'm1', ts: 1 }),
    broadcast: (app, data, topic) =>
      ok(`broadcast ${app} ${data} ${topic}`, { id: 'm2', ts: 2, delivered: state.delivered }),
    sendToUser: (app, user, data, topic) =>
      ok(`user ${app} ${user} ${data} ${topic}`, { id: 'm3', ts: 3, delivered: state.delivered }),
    sendToClient: (app, client, data, topic) =>
      ok(`client ${app} ${client} ${data} ${topic}`, { id: 'm4', ts: 4, delivered: state.delivered }),
    disconnect: (app, target) => ok(`disconnect ${app} ${JSON.stringify(target)}`, 2),
    presence: (app, user) => ok(`presence ${app} ${user}`, { online: true, connections: 2 }),
    topics: (app, q) => ok(`topics ${app} ${JSON.stringify(q)}`, [{ topic: 'a', subscribers: 1 }]),
    topicSubscribers: (app, topic) => ok(`subscribers ${app} ${topic}`, state.subscribers),
    presenceMembers: (app, topic, limit) =>
      ok(`members ${app} ${topic} ${limit}`, [{ clientId: 'c1', userId: 'u1', info: null }]),
    presenceStats: (app, topic) => ok(`stats ${app} ${topic}`, { clients: 1, users: 1 }),
    history: (app, topic, opts) =>
      ok(`history ${app} ${topic} ${JSON.stringify(opts)}`, {
        messages: [{ id: 'm5', ts: 5, dataJson: '1', offset: 7 }],
        position: { offset: 7, epoch: 'e' },
        recovered: true,
      }),
  };
  return { router, calls, state };
}

/** A wire whose payload is JSON text already (as gRPC's), refused past the size limit. */
const wire: PushWire<string> = {
  encode: (data, max) => {
    if (data.length > max)
      throw new PushApiException('payload_too_large', `data is larger than ${max} bytes`);
    return data;
  },
  fields: { publishTopics: 'topics', subscriberTopics: 'subs', userId: 'user', clientId: 'client' },
  noTopics: { publish: 'no publish topics', subscribers: 'no subscriber topics' },
};

const app: ApiApp = {
  id: 'app1',
  key: 'k1',
  name: 'App',
  enabled: true,
  settings: { presence: ['room.*'], history: [{ pattern: 'log.*', size: 10, ttlSec: 60 }] },
};

function setup() {
  const f = fakeRouter();
  return { ...f, uc: new PushUseCases(f.router, wire, { maxMessageBytes: 16, maxTopicLength: 10 }) };
}

const scope = (): AuditScope => ({ target: null });

/** `code detail` of a refusal, `ok` of a result. */
function outcome(r: PushCall<object>): string {
  return isRefusal(r) ? `${r.code} ${r.detail}` : 'ok';
}

describe('push use cases', () => {
  it('publish: names the target, checks topics then data, routes once', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.publish(app, ['a', 'b', 'a'], '{"x":1}', audit)).toEqual({ id: 'm1', ts: 1 });
    expect(audit.target).toBe('a,b,a');
    expect(calls).toEqual(['publish app1 a,b {"x":1}']);

    const empty = scope();
    expect(outcome(await uc.publish(app, [], '1', empty))).toBe('invalid_request no publish topics');
    expect(empty.target).toBe('');
    expect(outcome(await uc.publish(app, ['bad topic'], 'x'.repeat(99), scope()))).toMatch(/^invalid_topic /);
    expect(outcome(await uc.publish(app, ['x'.repeat(11)], '1', scope()))).toMatch(/^invalid_topic /);
    expect(outcome(await uc.publish(app, ['a'], 'x'.repeat(17), scope()))).toBe(
      'payload_too_large data is larger than 16 bytes',
    );
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
    expect(outcome(await uc.publish(app, many, '1', scope()))).toBe(
      'invalid_request topics: at most 100 topics per call',
    );
    expect(calls).toHaveLength(1);
  });

  it('a router failure is `unavailable`; a bug is thrown, not refused', async () => {
    const { uc, state, router } = setup();
    state.fail = true;
    expect(outcome(await uc.publish(app, ['a'], '1', scope()))).toBe('unavailable routing failed: link down');
    expect(outcome(await uc.disconnectUser(app, 'u', scope()))).toBe('unavailable routing failed: link down');
    expect(outcome(await uc.topicSubscribers(app, ['a'], scope()))).toBe(
      'unavailable routing failed: link down',
    );
    router.presence = () => {
      throw new TypeError('bug');
    };
    await expect(uc.userPresence(app, 'u', scope())).rejects.toThrow(TypeError);
  });

  it('broadcast: target `*`, then the transport read, the label and the data', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.broadcast(app, { data: '1', topic: 'lbl' }, audit)).toMatchObject({ delivered: 1 });
    expect(audit.target).toBe('*');
    expect(calls).toEqual(['broadcast app1 1 lbl']);
    const unread = new PushApiException('invalid_request', 'not a direct body');
    const refused = scope();
    expect(await uc.broadcast(app, unread, refused)).toBe(unread);
    expect(refused.target).toBe('*');
    expect(outcome(await uc.broadcast(app, { data: '1', topic: 'a b' }, scope()))).toMatch(/^invalid_topic /);
    expect(outcome(await uc.broadcast(app, { data: 'x'.repeat(17) }, scope()))).toMatch(
      /^payload_too_large /,
    );
  });

  it('user.send: checks the user id (named as the transport names it) before the body', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.sendToUser(app, 'u1', { data: '"hi"' }, audit)).toMatchObject({ id: 'm3' });
    expect(audit.target).toBe('user:u1');
    expect(calls).toEqual(['user app1 u1 "hi" undefined']);
    const unread = new PushApiException('invalid_request', 'body');
    const bad = scope();
    const r = await uc.sendToUser(app, '', unread, bad);
    expect(outcome(r)).toMatch(/^invalid_request user: /);
    expect(isRefusal(r) && r.extra).toMatchObject({ errors: [{ path: 'user' }, { path: 'user' }] });
    expect(bad.target).toBe('user:');
    expect(await uc.sendToUser(app, 'u1', unread, scope())).toBe(unread);
    const long = scope();
    await uc.sendToUser(app, 'u'.repeat(600), unread, long);
    expect(long.target).toHaveLength('user:'.length + 512);
  });

  it('client.send: `client_not_found` when no connection took it', async () => {
    const { uc, state } = setup();
    const audit = scope();
    expect(await uc.sendToClient(app, 'c1', { data: '1' }, audit)).toMatchObject({ delivered: 1 });
    expect(audit.target).toBe('client:c1');
    state.delivered = 0;
    expect(outcome(await uc.sendToClient(app, 'c1', { data: '1' }, scope()))).toBe(
      'client_not_found client c1 is not connected',
    );
    expect(outcome(await uc.sendToClient(app, 'c'.repeat(101), { data: '1' }, scope()))).toMatch(
      /^invalid_request client: /,
    );
  });

  it('user.presence and the disconnects', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.userPresence(app, 'u1', audit)).toEqual({ userId: 'u1', online: true, connections: 2 });
    expect(audit.target).toBe('user:u1');
    expect(await uc.disconnectUser(app, 'u1', scope())).toEqual({ disconnected: 2 });
    const client = scope();
    expect(await uc.disconnectClient(app, 'c1', client)).toEqual({ disconnected: 2 });
    expect(client.target).toBe('client:c1');
    expect(calls.slice(1)).toEqual(['disconnect app1 {"userId":"u1"}', 'disconnect app1 {"clientId":"c1"}']);
    expect(outcome(await uc.userPresence(app, 'a\u202eb', scope()))).toMatch(/^invalid_request user: /);
    expect(outcome(await uc.disconnectClient(app, '', scope()))).toMatch(/^invalid_request client: /);
  });

  it('topics.list: the prefix named (before the query is checked), the default limit', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.listTopics(app, { prefix: 'room.' }, audit)).toEqual({
      topics: [{ topic: 'a', subscribers: 1 }],
    });
    expect(audit.target).toBe('prefix:room.');
    expect(calls).toEqual(['topics app1 {"prefix":"room.","limit":1000}']);
    const none = scope();
    await uc.listTopics(app, {}, none);
    expect(none.target).toBeNull();
    const bad = scope();
    expect(outcome(await uc.listTopics(app, { prefix: 'p', limit: 0 }, bad))).toMatch(
      /^invalid_request limit: /,
    );
    expect(bad.target).toBe('prefix:p');
    expect(outcome(await uc.listTopics(app, { other: 1 }, scope()))).toMatch(/^invalid_request value: /);
  });

  it('topics.subscribers: counts in order, deduplicated; no topics is refused in the wire words', async () => {
    const { uc } = setup();
    const audit = scope();
    expect(await uc.topicSubscribers(app, ['a', 'b', 'a'], audit)).toEqual({
      topics: [
        { topic: 'a', subscribers: 3 },
        { topic: 'b', subscribers: 3 },
      ],
    });
    expect(audit.target).toBe('a,b,a');
    expect(outcome(await uc.topicSubscribers(app, [], scope()))).toBe('invalid_request no subscriber topics');
    expect(outcome(await uc.topicSubscribers(app, [''], scope()))).toMatch(/^invalid_topic /);
  });

  it('topic presence and stats: only on the app presence topics', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.topicPresence(app, 'room.1', audit)).toEqual({
      topic: 'room.1',
      members: [{ clientId: 'c1', userId: 'u1', info: null }],
    });
    expect(audit.target).toBe('topic:room.1');
    expect(calls).toEqual(['members app1 room.1 1000']);
    expect(await uc.topicPresenceStats(app, 'room.1', scope())).toEqual({
      topic: 'room.1',
      clients: 1,
      users: 1,
    });
    expect(outcome(await uc.topicPresence(app, 'lobby', scope()))).toBe(
      'no_presence the app has no presence on "lobby"',
    );
    expect(outcome(await uc.topicPresenceStats(app, 'a b', scope()))).toMatch(/^invalid_topic /);
    const unread = new PushApiException('invalid_request', 'topic: empty');
    const refused = scope();
    expect(await uc.topicPresenceStats(app, '', refused, unread)).toBe(unread);
    expect(refused.target).toBe('topic:');
  });

  it('topic history: only on the app history topics, with a bounded limit', async () => {
    const { uc, calls } = setup();
    const audit = scope();
    expect(await uc.topicHistory(app, 'log.1', { since: { offset: 3, epoch: 'e' } }, audit)).toEqual({
      topic: 'log.1',
      messages: [{ id: 'm5', ts: 5, dataJson: '1', offset: 7 }],
      position: { offset: 7, epoch: 'e' },
      recovered: true,
    });
    expect(audit.target).toBe('topic:log.1');
    expect(calls).toEqual(['history app1 log.1 {"since":{"offset":3,"epoch":"e"},"limit":100}']);
    expect(outcome(await uc.topicHistory(app, 'room.1', {}, scope()))).toBe(
      'no_history the app keeps no history on "room.1"',
    );
    expect(outcome(await uc.topicHistory(app, 'log.1', { limit: 1001 }, scope()))).toBe(
      'invalid_request limit: an integer from 1 to 1000',
    );
    const unread = new PushApiException('invalid_request', 'since: bad');
    expect(await uc.topicHistory(app, 'log.1', unread, scope())).toBe(unread);
  });
});
