import type { Router } from '@beacon/routing';
import { describe, expect, it } from 'vitest';
import { PushApiException } from '../push-api.exception.js';
import { restHandlers, type RestCall } from './handlers.js';

const published: Array<{ topics: string[]; data: string }> = [];
const router = {
  publish: async (_app: string, topics: string[], data: string) => {
    published.push({ topics, data });
    return { id: 'm1', ts: 1 };
  },
  broadcast: async () => ({ id: 'm2', ts: 2, delivered: 0 }),
} as unknown as Router;
const h = restHandlers(router, { maxMessageBytes: 64, maxTopicLength: 10 });
const call = (body: unknown): RestCall => ({
  app: { id: 'a', key: 'k', name: 'K', enabled: true },
  params: {},
  query: {},
  body,
  audit: { target: null },
});
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof PushApiException ? e.code : String(e)),
  );

describe('REST handlers', () => {
  it('publish: the fast shape check accepts exactly what the schema accepts', async () => {
    expect(await code(h.publish(call({ topic: 'a,b', topics: ['b', 'c'], data: { x: [1] } })))).toBe('ok');
    expect(published.at(-1)).toEqual({ topics: ['a', 'b', 'c'], data: '{"x":[1]}' });
    expect(await code(h.publish(call({ topic: 'a', data: null })))).toBe('ok');
    for (const bad of [
      null,
      [],
      'x',
      { topic: 'a' },
      { topic: 1, data: 1 },
      { topic: null, data: 1 },
      { topics: 'a', data: 1 },
      { topics: [1], data: 1 },
      { topics: Array.from({ length: 101 }, (_, i) => `t${i}`), data: 1 },
      { topic: 'a', data: 1, extra: true },
      JSON.parse('{"topic":"a","data":1,"__proto__":{"x":1}}'),
      { data: 1 },
    ]) {
      expect(await code(h.publish(call(bad))), JSON.stringify(bad)).toBe('invalid_request');
    }
  });

  it('publish: names the target before validating, bounded; honours the topic length and size', async () => {
    const c = call({ topics: ['x'.repeat(5000), 'y'], data: 1 });
    expect(await code(h.publish(c))).toBe('invalid_topic');
    expect(c.audit.target?.length).toBeLessThanOrEqual(513);
    expect(await code(h.publish(call({ topic: 't'.repeat(11), data: 1 })))).toBe('invalid_topic');
    expect(await code(h.publish(call({ topic: 't'.repeat(10), data: 1 })))).toBe('ok');
    expect(await code(h.publish(call({ topic: 'a', data: 'é'.repeat(40) })))).toBe('payload_too_large');
  });

  it('broadcast: the direct body shape and its label', async () => {
    expect(await code(h.broadcast(call({ data: 1, topic: 'lbl' })))).toBe('ok');
    expect(await code(h.broadcast(call({ data: 1, topic: 'a b' })))).toBe('invalid_topic');
    expect(await code(h.broadcast(call({ data: 1, topic: 7 })))).toBe('invalid_request');
    expect(await code(h.broadcast(call({ topic: 'lbl' })))).toBe('invalid_request');
  });
});
