import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon();
});
afterAll(async () => {
  await beacon.stop();
});

describe('topics over a real socket', () => {
  it('greets with a connected frame carrying the client id and limits', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const hello = c.frames[0]!;
    expect(hello).toMatchObject({ type: 'connected', userId: null, node: beacon.nodeId });
    expect(hello.clientId).toMatch(new RegExp(`^c${beacon.nodeId}\\.`));
    expect(hello.limits).toMatchObject({ maxTopics: 100, maxFrameBytes: 65536 });
    c.close();
  });

  it('one frame subscribes to two topics; publishes to both arrive; after unsubscribing one only the other', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const ack = await c.request({ type: 'subscribe', topics: ['news', 'sport'] }, 1);
    expect(ack).toEqual({ type: 'ack', id: 1, topics: ['news', 'sport'] });

    const res = await beacon.api('POST', '/v1/publish', { topics: ['news', 'sport'], data: { n: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: expect.any(String), ts: expect.any(Number) });
    await waitUntil(() => c.messages().length === 2);
    expect(c.messages('news')[0]).toMatchObject({
      type: 'message',
      topic: 'news',
      data: { n: 1 },
      id: res.body.id,
    });
    expect(c.messages('sport')[0]).toMatchObject({ data: { n: 1 } });

    await c.request({ type: 'unsubscribe', topic: 'news' }, 2);
    await beacon.api('POST', '/v1/publish', { topic: 'news,sport', data: { n: 2 } });
    await waitUntil(() => c.messages('sport').length === 2);
    // 'sport' n=2 was written after 'news' n=2 would have been, on the same socket: it is not coming.
    expect(c.messages('news')).toHaveLength(1);
    c.close();
  });

  it("firetower's numeric frames and comma-separated topics work the same", async () => {
    const a = await TestClient.connect(beacon.wsUrl());
    const b = await TestClient.connect(beacon.wsUrl());
    expect(await a.request({ type: 2, topic: '/chat/world,/chat/home' }, 'sub')).toMatchObject({
      type: 'ack',
      topics: ['/chat/world', '/chat/home'],
    });
    await b.subscribe('/chat/world');
    // firetower publish (1) from a client reaches every subscriber, the sender included
    expect(await a.request({ type: 1, topic: '/chat/world', data: 'hi' }, 'pub')).toMatchObject({
      type: 'ack',
    });
    await waitUntil(() => a.messages('/chat/world').length === 1 && b.messages('/chat/world').length === 1);
    expect(b.messages('/chat/world')[0]).toMatchObject({ data: 'hi' });

    // firetower unsubscribe (3) and its "unSubscribe" spelling
    await a.request({ type: 3, topic: '/chat/world' }, 'u1');
    await a.request({ type: 'unSubscribe', topic: '/chat/home' }, 'u2');
    await beacon.api('POST', '/v1/publish', { topics: ['/chat/world', '/chat/home'], data: 2 });
    await waitUntil(() => b.messages('/chat/world').length === 2);
    await a.sync();
    expect(a.messages()).toHaveLength(1);
    a.close();
    b.close();
  });

  it('answers ping with pong, echoing the id', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    c.send({ type: 'ping', id: 7 });
    const pong = await c.waitFor((f) => f.type === 'pong');
    expect(pong).toMatchObject({ id: 7, ts: expect.any(Number) });
    c.close();
  });

  it('closing a connection unsubscribes everything and the counts drop', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('gone.a', 'gone.b');
    const before = await beacon.api('GET', '/v1/topics/subscribers?topic=gone.a,gone.b');
    expect(before.body.topics).toEqual([
      { topic: 'gone.a', subscribers: 1 },
      { topic: 'gone.b', subscribers: 1 },
    ]);
    c.close();
    await waitUntil(async () => {
      const after = await beacon.api('GET', '/v1/topics/subscribers?topic=gone.a&topic=gone.b');
      return (after.body.topics as Array<{ subscribers: number }>).every((t) => t.subscribers === 0);
    });
    const list = await beacon.api('GET', '/v1/topics?prefix=gone.');
    expect(list.body.topics).toEqual([]);
  });
});
