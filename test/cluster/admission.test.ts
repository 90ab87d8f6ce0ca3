import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { TestCluster } from '../support/cluster.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let c: TestCluster;
let limited: { key: string };
const open: TestClient[] = [];
beforeAll(async () => {
  c = await TestCluster.start({ gateways: 2, heartbeatMs: 200, livenessMs: 1_000 });
  limited = await c.createApp('limited', { allowAnonymous: true, maxConnections: 3 });
}, 90_000);
afterAll(async () => {
  for (const client of open) client.close();
  await c?.stop();
});

/** A connection of the limited app to gateway `i`: resolves once it is connected or closed. */
const attempt = async (i: number): Promise<TestClient> => {
  const client = await TestClient.open(c.wsUrl(i, undefined, limited.key));
  open.push(client);
  await waitUntil(() => client.closeCode !== null || client.frames.some((f) => f.type === 'connected'));
  return client;
};

const connected = async (i: number): Promise<TestClient> => {
  const client = await attempt(i);
  expect(client.closeCode).toBeNull();
  return client;
};

describe("maxConnections holds across the cluster's gateways", () => {
  it('the 4th connection is closed 4005 on either gateway; a leaving one frees a slot; a dead gateway frees its own', async () => {
    const a1 = await connected(0);
    await connected(0);
    await connected(1);
    expect(await c.connectionSlots()).toBe(3);

    expect((await attempt(0)).closeCode).toBe(CloseCode.ConnectionLimit);
    expect((await attempt(1)).closeCode).toBe(CloseCode.ConnectionLimit);

    // One leaves (gateway 1): once the topic-service counts it gone, gateway 2 admits a new one.
    a1.close();
    await waitUntil(async () => (await c.connectionSlots()) === 2);
    await connected(1);
    expect((await attempt(1)).closeCode).toBe(CloseCode.ConnectionLimit);

    // Gateway 2 dies holding two slots: they are freed with it, and gateway 1 admits two more.
    await c.gateways[1]!.kill9();
    await c.waitForGateways(1, 5_000);
    expect(await c.connectionSlots()).toBe(1);
    await connected(0);
    await connected(0);
    expect((await attempt(0)).closeCode).toBe(CloseCode.ConnectionLimit);
  });
});
