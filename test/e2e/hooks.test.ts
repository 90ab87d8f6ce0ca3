import { Injectable } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInfo, GatewayHooks, PublishRequest, Refusal } from '@beacon/gateway';
import { CloseCode } from '@beacon/protocol';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

const events: string[] = [];

/** An app's own hooks: firetower's callbacks, as a Nest provider. */
@Injectable()
class ChatHooks implements GatewayHooks {
  async onConnect(client: ClientInfo): Promise<Refusal | void> {
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
    events.push(`close:${client.id}:${info.code}`);
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
    c.ws.close(CloseCode.Normal);
    await waitUntil(() => events.includes(`close:${id}:${CloseCode.Normal}`));
  });
});
