import { Injectable } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInfo, GatewayHooks, PublishRequest, Refusal } from '@beacon/gateway';
import { CloseCode } from '@beacon/protocol';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

const events: string[] = [];
/** Connections of app "gated" wait in onConnect until the test opens the gate. */
let openGate: () => void = () => undefined;
let gate = Promise.resolve();

/** An app's own hooks: firetower's callbacks, as a Nest provider. */
@Injectable()
class ChatHooks implements GatewayHooks {
  async onConnect(client: ClientInfo): Promise<Refusal | void> {
    if (client.appKey === 'gated') await gate;
    if (client.appKey === 'verbose') return { refuse: `désolé, ${'é'.repeat(200)}` };
    events.push(`connect:${client.id}`);
    await Promise.resolve(); // async hooks are awaited, frames stay in order
  }
  beforeSubscribe(_client: ClientInfo, topics: string[]): Refusal | string[] {
    if (topics.some((t) => t.startsWith('vip.'))) return { refuse: 'vip topics are for members' };
    return topics.map((t) => (t === 'lobby' ? 'room.lobby' : t));
  }
  onSubscribe(client: ClientInfo, topics: string[]): void {
    events.push(`subscribed:${client.id}:${topics.join(',')}`);
  }
  onUnsubscribe(client: ClientInfo, topics: string[]): void {
    events.push(`unsubscribed:${client.id}:${topics.join(',')}`);
  }
  async onPublish(_client: ClientInfo, req: PublishRequest): Promise<Refusal | PublishRequest> {
    if (req.data === 'spam') return { refuse: 'no spam' };
    return { topics: req.topics, data: { text: req.data, moderated: true } };
  }
  onClose(client: ClientInfo, info: { code: number }): void {
    events.push(`close:${client.id}:${info.code}:${[...client.topics].join(',')}`);
  }
}

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon({}, { hooks: [ChatHooks] });
});
afterAll(async () => {
  await beacon.stop();
});

describe('gateway hooks', () => {
  it('connections still in an async onConnect count against the app limit', async () => {
    await beacon.persistence.apps.create({
      name: 'gated',
      key: 'gated',
      settings: { allowAnonymous: true, maxConnections: 2 },
    });
    gate = new Promise((resolve) => (openGate = resolve));
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.open(beacon.wsUrl('gated'))));
    // While all three wait in the hook, the third is already refused: two slots are reserved.
    await waitUntil(() => clients.some((c) => c.closeCode === CloseCode.ConnectionLimit));
    openGate();
    await waitUntil(() => clients.filter((c) => c.frames.some((f) => f.type === 'connected')).length === 2);
    expect(clients.map((c) => c.closeCode).filter((c) => c !== null)).toEqual([CloseCode.ConnectionLimit]);
    for (const c of clients) c.close();
  });

  it('run on every step: connect, rewrite or refuse a subscribe, transform or refuse a publish, close', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const id = c.clientId;
    expect(events).toContain(`connect:${id}`);

    expect(await c.request({ type: 'subscribe', topic: 'lobby' })).toMatchObject({
      type: 'ack',
      topics: ['room.lobby'],
    });
    expect(events).toContain(`subscribed:${id}:room.lobby`);
    expect(await c.request({ type: 'subscribe', topics: ['room.a', 'vip.b'] })).toMatchObject({
      type: 'error',
      code: 'refused',
      message: 'vip topics are for members',
    });

    expect(await c.request({ type: 'publish', topic: 'room.lobby', data: 'spam' })).toMatchObject({
      code: 'refused',
    });
    expect(await c.request({ type: 'publish', topic: 'room.lobby', data: 'hello' })).toMatchObject({
      type: 'ack',
    });
    await waitUntil(() => c.messages('room.lobby').length === 1);
    expect(c.messages('room.lobby')[0]?.data).toEqual({ text: 'hello', moderated: true });

    const counts = await beacon.api('GET', '/v1/topics/subscribers?topic=room.a,vip.b');
    expect((counts.body.topics as Array<{ subscribers: number }>).map((t) => t.subscribers)).toEqual([0, 0]);

    await c.request({ type: 'unsubscribe', topic: 'room.lobby' });
    expect(events).toContain(`unsubscribed:${id}:room.lobby`);
    await c.subscribe('room.b', 'room.c');
    c.ws.close(CloseCode.Normal);
    // Closing unsubscribes everything: onUnsubscribe runs for the topics it held, then onClose sees them.
    await waitUntil(() => events.includes(`close:${id}:${CloseCode.Normal}:room.b,room.c`));
    expect(events.filter((e) => e.startsWith(`unsubscribed:${id}:`)).at(-1)).toBe(
      `unsubscribed:${id}:room.b,room.c`,
    );
    expect(events.indexOf(`unsubscribed:${id}:room.b,room.c`)).toBeLessThan(
      events.indexOf(`close:${id}:${CloseCode.Normal}:room.b,room.c`),
    );
  });

  it('a server-side close (kick) also runs onUnsubscribe and shows onClose the topics', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const id = c.clientId;
    await c.subscribe('room.k');
    expect((await beacon.api('POST', `/v1/clients/${id}/disconnect`)).status).toBeLessThan(300);
    expect(await c.waitClosed()).toBe(CloseCode.Kicked);
    await waitUntil(() => events.some((e) => e.startsWith(`close:${id}:`)));
    expect(events).toContain(`unsubscribed:${id}:room.k`);
    expect(events.find((e) => e.startsWith(`close:${id}:`))).toMatch(/:room\.k$/);
  });

  it('a long non-ASCII refusal closes 4006 with the reason cut to 123 bytes on a character boundary', async () => {
    await beacon.persistence.apps.create({
      name: 'verbose',
      key: 'verbose',
      settings: { allowAnonymous: true },
    });
    const c = await TestClient.open(beacon.wsUrl('verbose'));
    expect(await c.waitClosed()).toBe(CloseCode.ConnectRefused);
    expect(Buffer.byteLength(c.closeReason)).toBeLessThanOrEqual(123);
    expect(Buffer.byteLength(c.closeReason)).toBeGreaterThanOrEqual(120);
    expect(`désolé, ${'é'.repeat(200)}`.startsWith(c.closeReason)).toBe(true);
  });
});
