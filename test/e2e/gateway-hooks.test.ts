import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInfo, GatewayHooks, PublishRequest, Refusal } from '@beacon/gateway';
import { migrate, Persistence } from '@beacon/persistence';
import { CloseCode } from '@beacon/protocol';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/bootstrap.js';
import { loadConfig } from '../../apps/gateway/src/config.js';
import { freePort } from '../support/ports.js';
import { dist, ServiceProcess } from '../support/service.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

const events: string[] = [];

/** An embedding app's hooks, given to the cluster gateway's bootstrap. */
@Injectable()
class EmbeddedHooks implements GatewayHooks {
  onConnect(client: ClientInfo): Refusal | void {
    if (client.userId === null && client.appKey === 'nohooks') return { refuse: 'members only' };
    events.push(`connect:${client.id}`);
  }
  beforeSubscribe(_client: ClientInfo, topics: string[]): string[] {
    return topics.map((t) => `room.${t}`);
  }
  onPublish(_client: ClientInfo, req: PublishRequest): PublishRequest {
    return { topics: req.topics, data: { text: req.data, via: 'hook' } };
  }
  onClose(client: ClientInfo, info: { code: number }): void {
    events.push(`close:${client.id}:${info.code}:${[...client.topics].join(',')}`);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'beacon-gw-hooks-'));
const databaseUrl = `file:${join(dataDir, 'beacon.db')}`;
const clusterToken = 'cluster-token-for-tests-0123456789';
let topicService: ServiceProcess;
let gateway: RunningGateway;

beforeAll(async () => {
  await migrate({ databaseUrl });
  const p = await Persistence.open({ databaseUrl, dataDir });
  await p.apps.create({
    name: 'Hooked',
    key: 'hooked',
    settings: { allowAnonymous: true, clientPublish: true },
  });
  await p.apps.create({ name: 'No', key: 'nohooks', settings: { allowAnonymous: true } });
  await p.close();
  const tsPort = await freePort();
  topicService = await ServiceProcess.start(
    'topic-service',
    dist('topic-service'),
    { BEACON_TOPIC_SERVICE_PORT: String(tsPort), BEACON_CLUSTER_TOKEN: clusterToken },
    /topic-service listening on/,
  );
  gateway = await startGateway(
    loadConfig({
      BEACON_PORT: '0',
      BEACON_HOST: '127.0.0.1',
      BEACON_TOPIC_SERVICE_URL: `127.0.0.1:${tsPort}`,
      BEACON_CLUSTER_TOKEN: clusterToken,
      BEACON_DATA_DIR: dataDir,
      BEACON_LOG_LEVEL: 'error',
    }),
    { hooks: [EmbeddedHooks] },
  );
  await waitUntil(
    () => gateway.link.isAttached,
    10_000,
    () => 'gateway not attached to the topic-service',
  );
});
afterAll(async () => {
  await gateway?.close();
  await topicService?.kill9();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the cluster gateway (apps/gateway) with hooks from an embedding app', () => {
  it('runs them on connect, subscribe, publish and close', async () => {
    const ws = gateway.url.replace('http', 'ws');
    const refused = await TestClient.open(`${ws}/ws?app=nohooks`);
    expect(await refused.waitClosed()).toBe(CloseCode.ConnectRefused);
    expect(refused.closeReason).toBe('members only');

    const c = await TestClient.connect(`${ws}/ws?app=hooked`);
    expect(events).toContain(`connect:${c.clientId}`);
    expect(await c.request({ type: 'subscribe', topic: 'lobby' })).toMatchObject({ topics: ['room.lobby'] });
    expect(await c.request({ type: 'publish', topic: 'room.lobby', data: 'hi' })).toMatchObject({
      type: 'ack',
    });
    await waitUntil(() => c.messages('room.lobby').length === 1);
    expect(c.messages('room.lobby')[0]?.data).toEqual({ text: 'hi', via: 'hook' });
    c.ws.close(CloseCode.Normal);
    await waitUntil(() => events.includes(`close:${c.clientId}:${CloseCode.Normal}:room.lobby`));
  });
});
