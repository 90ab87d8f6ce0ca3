import { Injectable } from '@nestjs/common';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientGateway, type ClientInfo, type GatewayHooks, type PublishRequest } from '@beacon/gateway';
import { CloseCode } from '@beacon/protocol';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

/** Publishes to `gate.*` wait in an async hook until the test opens the gate. */
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => undefined;
const closeGate = (): void => {
  gate = new Promise((resolve) => (openGate = resolve));
};

@Injectable()
class GateHooks implements GatewayHooks {
  onPublish(_client: ClientInfo, req: PublishRequest): Promise<void> | void {
    if (req.topics.some((t) => t.startsWith('gate.'))) return gate;
  }
}

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon(
    {
      BEACON_FRAME_RATE: '1000000000',
      BEACON_FRAME_BURST: '1000000000',
      BEACON_PUBLISH_RATE: '1000000000',
      BEACON_PUBLISH_BURST: '1000000000',
      BEACON_MAX_FRAME_BYTES: '2048',
      BEACON_INBOX_FRAMES: '10',
      BEACON_INBOX_BYTES: '4096',
      BEACON_OUTBOUND_BUDGET_BYTES: String(64 * 1024),
    },
    { hooks: [GateHooks] },
  );
});
afterAll(async () => {
  await beacon.stop();
});

describe('the inbound frame loop', () => {
  it('handles a burst of 100 publishes written at once, in order, closing nothing', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('burst');
    const frames = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ type: 'publish', topic: 'burst', data: i, id: i }),
    );
    // One TCP write: every frame reaches the server in the same read.
    const socket = (c.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    for (const f of frames) c.ws.send(f);
    socket.uncork();
    await waitUntil(() => c.messages('burst').length === 100 || c.closeCode !== null);
    expect(c.closeCode).toBeNull();
    expect(c.messages('burst').map((m) => m.data)).toEqual([...Array(100).keys()]);
    await waitUntil(() => c.frames.filter((f) => f.type === 'ack').length === 101);
    expect(c.closeCode).toBeNull();
    c.close();
  });

  it('keeps frames waiting on an async hook in order, answering them once it settles', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('gate.a', 'after');
    closeGate();
    c.send({ type: 'publish', topic: 'gate.a', data: 'gated', id: 'g' });
    c.send({ type: 'publish', topic: 'after', data: 'next', id: 'n' });
    c.send({ type: 'ping', id: 'p' });
    // The two frames behind the gated publish wait in the server's inbox, unanswered.
    const server = beacon.app.get(ClientGateway).hub.get(c.clientId)!;
    await waitUntil(() => server.inbox.length === 2);
    expect(c.frames.filter((f) => f.type !== 'connected' && f.type !== 'ack')).toEqual([]);
    openGate();
    await c.waitFor((f) => f.type === 'pong' && f.id === 'p');
    expect(c.messages().map((m) => m.data)).toEqual(['gated', 'next']);
    c.close();
  });

  it.each([
    ['more frames than BEACON_INBOX_FRAMES', 20, 10],
    ['more bytes than BEACON_INBOX_BYTES', 5, 1500],
  ])('closes with 4030 a client that queues %s behind an async hook', async (_name, count, size) => {
    const c = await TestClient.connect(beacon.wsUrl());
    closeGate();
    c.send({ type: 'publish', topic: 'gate.b', data: 'held', id: 'held' });
    for (let i = 0; i < count; i++)
      c.send({ type: 'ping', id: 'x'.repeat(Math.min(size, 60)), pad: 'p'.repeat(size) });
    expect(await c.waitClosed()).toBe(CloseCode.InboxFull);
    openGate();
  });

  it('puts acks, errors and pongs under the outbound budget: a client that stops reading is closed 4008', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    (c.ws as unknown as { _socket: Socket })._socket.pause(); // stops reading; keeps writing
    const closed = (): number => beacon.metrics.snapshot().beacon_closed_4008_total ?? 0;
    const ping = JSON.stringify({ type: 'ping', id: 1 });
    for (let round = 0; round < 100 && closed() === 0; round++) {
      for (let i = 0; i < 5_000; i++) c.ws.send(ping);
      await new Promise<void>((resolve) => c.ws.send(ping, () => resolve()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => closed() === 1);
  });
});
