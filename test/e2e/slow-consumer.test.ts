import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientGateway } from '@beacon/gateway';
import { CloseCode } from '@beacon/protocol';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon({
    BEACON_OUTBOUND_BUDGET_BYTES: String(256 * 1024),
    BEACON_CLOSE_GRACE_MS: '30000',
  });
});
afterAll(async () => {
  await beacon.stop();
});

describe('slow consumers', () => {
  it('closes a client that stops reading with 4008, releases it, and keeps serving the others', async () => {
    const slow = await TestClient.connect(beacon.wsUrl());
    const fast = await TestClient.connect(beacon.wsUrl());
    await slow.subscribe('firehose');
    await fast.subscribe('firehose');
    const slowId = slow.clientId;
    const serverSide = beacon.app.get(ClientGateway).hub.get(slowId)!;
    // The slow client stops reading: its kernel buffers fill, then the server's outbound buffer grows.
    const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();

    const data = 'x'.repeat(16 * 1024);
    const slowClosed = () => beacon.metrics.snapshot().beacon_closed_4008_total === 1;
    let sent = 0;
    while (!slowClosed() && sent < 2000) {
      const res = await beacon.api('POST', '/v1/publish', { topic: 'firehose', data });
      expect(res.status).toBe(200);
      sent++;
      await waitUntil(() => fast.messages().length === sent); // the fast client keeps up, and keeps receiving
    }
    expect(slowClosed()).toBe(true);
    // The close frame is written ahead of the deliveries still queued: behind it in the server's socket
    // is at most what the socket already held (less than its high-water mark plus one frame), not the budget.
    expect(serverSide.raw.writableLength).toBeLessThan(16 * 1024 + data.length + 1024);

    // Released at once on the server: out of every index, no longer counted.
    const counts = await beacon.api('GET', '/v1/topics/subscribers?topic=firehose');
    expect(counts.body.topics).toEqual([{ topic: 'firehose', subscribers: 1 }]);
    const presence = await beacon.api('POST', `/v1/clients/${slowId}/send`, { data: 1 });
    expect(presence.status).toBe(404);

    // When it reads again it drains what was buffered, then sees the documented close code.
    socket.resume();
    expect(await slow.waitClosed(15_000)).toBe(CloseCode.SlowConsumer);
    expect(slow.messages().length).toBeLessThan(sent);

    await beacon.api('POST', '/v1/publish', { topic: 'firehose', data: 'after' });
    await waitUntil(() => fast.messages().at(-1)?.data === 'after');
    fast.close();
    await waitUntil(() => beacon.metrics.snapshot().beacon_connections === 0);
  });
});
