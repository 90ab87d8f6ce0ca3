import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon({
    BEACON_PING_INTERVAL_MS: '100',
    BEACON_IDLE_TIMEOUT_MS: '400',
    BEACON_SWEEP_INTERVAL_MS: '50',
    BEACON_CLOSE_GRACE_MS: '200',
  });
});
afterAll(async () => {
  await beacon.stop();
});

describe('connection limits and liveness', () => {
  it('closes connections past the app limit with 4005 and admits again once one leaves', async () => {
    const { secret, tokenKey } = await beacon.persistence.apps.create({
      name: 'small',
      key: 'small',
      settings: { maxConnections: 2 },
    });
    const url = async (): Promise<string> =>
      beacon.wsUrl('small', await signToken(tokenKey.secret, { sub: 's' }));
    const a = await TestClient.connect(await url());
    const b = await TestClient.connect(await url());
    const c = await TestClient.open(await url());
    expect(await c.waitClosed()).toBe(CloseCode.ConnectionLimit);
    a.close();
    await waitUntil(
      async () => (await beacon.api('GET', '/v1/users/s', undefined, secret)).body.connections === 1,
    );
    const d = await TestClient.connect(await url());
    expect(d.clientId).toBeDefined();
    b.close();
    d.close();
  });

  it('pings, and closes a connection that stops answering with 4009', async () => {
    const alive = await TestClient.connect(beacon.wsUrl());
    const dead = await TestClient.connect(beacon.wsUrl());
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    // The dead client's process stops reading: no pongs go back.
    (dead.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const closedBefore = beacon.metrics.snapshot().beacon_closed_4009_total ?? 0;
    await waitUntil(
      () => (beacon.metrics.snapshot().beacon_closed_4009_total ?? 0) === closedBefore + 1,
      5_000,
    );
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(alive.closeCode).toBeNull(); // the live one answered every ping and stays
    await alive.sync();
    alive.close();
  });
});
