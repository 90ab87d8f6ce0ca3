import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { waitUntil } from '../support/wait.js';

// Issue 9: a page written for a firetower server, unchanged, against Beacon. The frames below are exactly
// what firetower's browser client (example/web/firetower_v0.1.js in holdno/firetower) sends — type numbers,
// comma-joined topics, `data: ''` on subscribe — and what its server sends back: deliveries as
// TopicMessage.Json() `{"topic","data","type":1}`, "heartbeat" text frames, and nothing on connect.

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon({ BEACON_PING_INTERVAL_MS: '200', BEACON_SWEEP_INTERVAL_MS: '50' });
  await beacon.persistence.apps.create({
    name: 'tower',
    key: 'tower',
    settings: { allowAnonymous: true, clientPublish: true, serverFrames: 'firetower' },
  });
});
afterAll(async () => {
  await beacon.stop();
});

/** A raw socket that records every text frame as firetower's `ws.onmessage` would see it. */
async function towerClient(app: string, query = ''): Promise<{ ws: WebSocket; texts: string[] }> {
  const ws = new WebSocket(beacon.wsUrl(app) + query);
  const texts: string[] = [];
  ws.on('message', (d: Buffer) => texts.push(d.toString()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, texts };
}

describe("firetower's clients, unchanged (serverFrames: firetower)", () => {
  it('subscribe, publish and unsubscribe as firetower_v0.1.js does; deliveries and heartbeats as its server sends them', async () => {
    const a = await towerClient('tower');
    const b = await towerClient('tower');
    // this.subscribe(['/chat/world', '/chat/home'])
    for (const c of [a, b]) c.ws.send(JSON.stringify({ type: 2, topic: '/chat/world,/chat/home', data: '' }));
    // no ack comes back (firetower sends none): the server's counts show the subscribes were taken
    await waitUntil(async () =>
      /^beacon_topics 2$/m.test(await (await fetch(`${beacon.url}/metrics`)).text()),
    );
    // this.publish('/chat/world', {from: 'ann', data: 'hi', type: 'publish'})
    const data = { from: 'ann', data: 'hi', type: 'publish' };
    a.ws.send(JSON.stringify({ type: 1, topic: '/chat/world', data }));
    const isDelivery = (t: string) => t !== 'heartbeat';
    await waitUntil(() => b.texts.some(isDelivery) && a.texts.some(isDelivery));
    expect(JSON.parse(b.texts.find(isDelivery)!)).toEqual({ topic: '/chat/world', data, type: 1 });
    expect(b.texts.find(isDelivery)).toBe(`{"topic":"/chat/world","data":${JSON.stringify(data)},"type":1}`);
    // heartbeats arrive as the literal text firetower's client skips
    await waitUntil(() => b.texts.includes('heartbeat'));
    // nothing Beacon-shaped ever reached a firetower page: no connected, no ack
    for (const t of [...a.texts, ...b.texts]) {
      if (t === 'heartbeat') continue;
      expect(JSON.parse(t)).not.toHaveProperty('type', 'connected');
      expect(JSON.parse(t)).toHaveProperty('type', 1);
    }
    // this.unsubscribe('/chat/world'): b no longer gets it. A WebSocket ping after it is answered once the
    // server has handled the unsubscribe (a connection's frames are handled in order).
    b.ws.send(JSON.stringify({ type: 3, topic: '/chat/world', data: '' }));
    await new Promise((resolve) => {
      b.ws.once('pong', resolve);
      b.ws.ping();
    });
    const before = b.texts.filter(isDelivery).length;
    a.ws.send(JSON.stringify({ type: 1, topic: '/chat/world', data: 'not for b' }));
    a.ws.send(JSON.stringify({ type: 1, topic: '/chat/home', data: 'home' }));
    await waitUntil(() => b.texts.filter(isDelivery).length > before);
    // a's publishes are handled in order: b got the second (still subscribed), never the first
    expect(
      b.texts
        .filter(isDelivery)
        .slice(before)
        .map((t) => JSON.parse(t) as unknown),
    ).toEqual([{ topic: '/chat/home', data: 'home', type: 1 }]);
    a.ws.close();
    b.ws.close();
  });

  it("a client that asks for Beacon's frames gets them on a firetower app (the SDK does)", async () => {
    const c = await towerClient('tower', '&frames=beacon');
    await waitUntil(() => c.texts.length > 0);
    expect(JSON.parse(c.texts[0]!)).toMatchObject({ type: 'connected' });
    c.ws.send(JSON.stringify({ type: 'subscribe', id: 1, topic: '/asked' }));
    await waitUntil(() => c.texts.some((t) => t.includes('"ack"')));
    c.ws.close();
    // and one that asks for firetower's gets them on a Beacon app
    const d = await towerClient('devapp', '&frames=firetower');
    d.ws.send(JSON.stringify({ type: 2, topic: '/asked', data: '' }));
    await waitUntil(async () => {
      await beacon.api('POST', '/v1/publish', { topic: '/asked', data: 'x' });
      return d.texts.some((t) => t !== 'heartbeat');
    });
    expect(d.texts.filter((t) => t !== 'heartbeat')[0]).toBe('{"topic":"/asked","data":"x","type":1}');
    d.ws.close();
  });

  it('refuses any other frames value with 4000', async () => {
    const ws = new WebSocket(`${beacon.wsUrl('tower')}&frames=json`);
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      ws.once('close', (c: number, r: Buffer) => resolve([c, r.toString()])),
    );
    expect(code).toBe(4000);
    expect(reason).toMatch(/frames/);
  });

  it("other apps keep Beacon's frames", async () => {
    const c = await towerClient('devapp');
    await waitUntil(() => c.texts.length > 0);
    expect(JSON.parse(c.texts[0]!)).toMatchObject({ type: 'connected' });
    c.ws.close();
  });
});
