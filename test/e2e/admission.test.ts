import type { AddressInfo } from 'node:net';
import { Global, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_DIRECTORY,
  BeaconWsAdapter,
  DEFAULT_GATEWAY_LIMITS,
  GatewayModule,
  type AppDirectory,
  type ClientInfo,
  type GatewayApp,
  type GatewayHooks,
  type Refusal,
} from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { CloseCode } from '@beacon/protocol';
import { LocalAdmission, LocalRouter, ROUTER, type ConnectionAdmission } from '@beacon/routing';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

/** An admission port that counts what the gateway does with it; async, as a cluster-wide one is. */
class CountingAdmission implements ConnectionAdmission {
  readonly slots = new LocalAdmission();
  acquired = 0;
  refused = 0;
  released = 0;
  async acquire(appId: string, limit: number): Promise<boolean> {
    await Promise.resolve();
    const ok = this.slots.acquire(appId, limit);
    if (ok) this.acquired++;
    else this.refused++;
    return ok;
  }
  release(appId: string): void {
    this.released++;
    this.slots.release(appId);
  }
}
const admission = new CountingAdmission();

const app = (key: string, maxConnections: number): GatewayApp => ({
  id: `id-${key}`,
  key,
  enabled: true,
  settings: { allowAnonymous: true, clientPublish: false, maxConnections, maxTokenLifetimeSec: 3600 },
  tokenKeys: [],
});
const apps = new Map(
  [app('open', 100), app('refused', 100), app('one', 1), app('gated', 100)].map((a) => [a.key, a]),
);
const directory: AppDirectory = { findByKey: async (key) => apps.get(key) ?? null };

let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

@Injectable()
class Hooks implements GatewayHooks {
  async onConnect(client: ClientInfo): Promise<Refusal | void> {
    if (client.appKey === 'refused') return { refuse: 'no' };
    if (client.appKey === 'gated') await gate;
  }
}

const router = new LocalRouter('n1');
@Global()
@Module({
  providers: [
    { provide: ROUTER, useValue: router },
    { provide: APP_DIRECTORY, useValue: directory },
    { provide: MetricsRegistry, useValue: new MetricsRegistry() },
  ],
  exports: [ROUTER, APP_DIRECTORY, MetricsRegistry],
})
class Core {}

@Module({
  imports: [
    Core,
    GatewayModule.forRoot({
      nodeId: 'n1',
      limits: { ...DEFAULT_GATEWAY_LIMITS, closeGraceMs: 200 },
      hooks: [Hooks],
      admission: { useValue: admission },
    }),
  ],
})
class TestGatewayModule {}

let nest: INestApplication;
let base = '';
beforeAll(async () => {
  nest = await NestFactory.create(TestGatewayModule, { logger: false });
  nest.useWebSocketAdapter(new BeaconWsAdapter(nest, { maxPayload: 65536 }));
  await nest.listen(0, '127.0.0.1');
  base = `ws://127.0.0.1:${(nest.getHttpServer().address() as AddressInfo).port}/ws?app=`;
});
afterAll(async () => {
  await nest.close();
});

/** Every slot taken has been given back exactly once. */
const balanced = (): Promise<void> =>
  waitUntil(
    () => admission.released === admission.acquired,
    5_000,
    () => `acquired ${admission.acquired}, released ${admission.released}`,
  );

describe('GatewayModule with an injected ConnectionAdmission', () => {
  it('takes a slot per connection and gives it back once when the client closes', async () => {
    const c = await TestClient.connect(`${base}open`);
    expect(admission.slots.count('id-open')).toBe(1);
    c.close();
    await balanced();
    expect(admission.slots.count('id-open')).toBe(0);
  });

  it('gives it back once when the server closes the connection', async () => {
    const c = await TestClient.connect(`${base}open`);
    expect(await router.disconnect('id-open', { clientId: c.clientId })).toBe(1);
    expect(await c.waitClosed()).toBe(CloseCode.Kicked);
    await balanced();
    expect(admission.slots.count('id-open')).toBe(0);
  });

  it('gives it back once when an onConnect hook refuses', async () => {
    const c = await TestClient.open(`${base}refused`);
    expect(await c.waitClosed()).toBe(CloseCode.ConnectRefused);
    await balanced();
    expect(admission.slots.count('id-refused')).toBe(0);
  });

  it('gives it back once when the client leaves while onConnect still runs', async () => {
    const c = await TestClient.open(`${base}gated`);
    await waitUntil(() => admission.slots.count('id-gated') === 1);
    c.close();
    await waitUntil(() => c.closeCode !== null);
    openGate();
    await balanced();
    expect(admission.slots.count('id-gated')).toBe(0);
  });

  it('refuses with 4005 when the port says the app is full, and admits again once a slot is free', async () => {
    const first = await TestClient.connect(`${base}one`);
    const second = await TestClient.open(`${base}one`);
    expect(await second.waitClosed()).toBe(CloseCode.ConnectionLimit);
    expect(admission.refused).toBe(1);
    first.close();
    await balanced();
    const third = await TestClient.connect(`${base}one`);
    third.close();
    await balanced();
    expect(admission.slots.count('id-one')).toBe(0);
  });
});
