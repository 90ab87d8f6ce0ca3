import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster } from '@beacon/contracts';
import { freePort } from '../../../test/support/ports.js';
import { StallProxy } from '../../../test/support/stall-proxy.js';
import { waitUntil } from '../../../test/support/wait.js';
import { TopicServiceModule } from './topic-service.module.js';
import { startTopicService, type RunningTopicService } from './topic-service.server.js';

const HEARTBEAT_MS = 100;
const LIVENESS_MS = 600;
const data = Buffer.from('{"hello":"world"}');

/** A gateway as the topic-service sees one: a real Attach stream from the generated client. */
class FakeGateway {
  readonly received: cluster.RouterMessage[] = [];
  status: grpc.StatusObject | null = null;
  private readonly call: grpc.ClientDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>;
  private readonly beat: NodeJS.Timeout;

  constructor(
    client: cluster.TopicServiceClient,
    readonly nodeId: string,
    interest: { topics?: string[]; users?: string[] },
    opts: { silent?: boolean; answer?: (c: cluster.Command) => number } = {},
  ) {
    this.call = client.attach();
    this.call.on('data', (m: cluster.RouterMessage) => {
      this.received.push(m);
      if (m.command)
        this.send({ result: { requestId: m.command.requestId, count: opts.answer?.(m.command) ?? 1 } });
    });
    this.call.on('status', (s) => (this.status = s));
    this.call.on('error', () => {});
    this.send({ register: { nodeId, address: `127.0.0.1:${nodeId}` } });
    this.send({
      snapshot: {
        topics: (interest.topics ?? []).map((key) => ({ appId: 'app', key, count: 1 })),
        users: (interest.users ?? []).map((key) => ({ appId: 'app', key, count: 1 })),
        slots: [],
        members: [],
      },
    });
    this.beat = setInterval(() => {
      if (!opts.silent) this.send({ heartbeat: { stats: undefined } });
    }, HEARTBEAT_MS);
  }

  send(m: cluster.GatewayMessage): void {
    if (this.status === null) this.call.write(m);
  }

  messages(): cluster.Message[] {
    return this.received.flatMap((m) => (m.message ? [m.message] : []));
  }

  commands(): cluster.Command[] {
    return this.received.flatMap((m) => (m.command ? [m.command] : []));
  }

  has(id: string): boolean {
    return this.messages().some((m) => m.id === id);
  }

  end(): void {
    clearInterval(this.beat);
    this.call.end();
  }

  cancel(): void {
    clearInterval(this.beat);
    this.call.cancel();
  }
}

function unary<Req, Res>(
  client: cluster.TopicServiceClient,
  method: 'publish' | 'send' | 'disconnect' | 'topicSubscribers' | 'listTopics' | 'presence' | 'clusterStats',
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = client[method] as unknown as (
      r: Req,
      cb: (e: grpc.ServiceError | null, r: Res) => void,
    ) => void;
    fn.call(client, req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

describe('topic-service over real gRPC', () => {
  let service: RunningTopicService;
  let client: cluster.TopicServiceClient;
  let port: number;
  const gateways: FakeGateway[] = [];
  const gateway = (
    ...args: ConstructorParameters<typeof FakeGateway> extends [unknown, ...infer R] ? R : never
  ) => {
    const g = new FakeGateway(client, ...args);
    gateways.push(g);
    return g;
  };
  const subscribers = async (topic: string): Promise<number> => {
    const r = await unary<cluster.TopicSubscribersRequest, cluster.TopicSubscribersReply>(
      client,
      'topicSubscribers',
      {
        appId: 'app',
        topics: [topic],
      },
    );
    return r.topics[0]?.subscribers ?? -1;
  };
  const publish = (topics: string[]) =>
    unary<cluster.PublishRequest, cluster.PublishReply>(client, 'publish', {
      appId: 'app',
      topics,
      dataJson: data,
      history: [],
    });
  const stats = () =>
    unary<cluster.ClusterStatsRequest, cluster.ClusterStatsReply>(client, 'clusterStats', {});

  beforeAll(async () => {
    port = await freePort();
    service = await startTopicService(
      TopicServiceModule.forRoot({
        heartbeatIntervalMs: HEARTBEAT_MS,
        livenessTimeoutMs: LIVENESS_MS,
        commandTimeoutMs: 1000,
      }),
      { host: '127.0.0.1', port, logger: false },
    );
    client = new cluster.TopicServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    for (const g of gateways) g.cancel();
    client?.close();
    await service?.close();
  });

  it('routes publishes, client publishes and commands to exactly the right gateways', async () => {
    const g1 = gateway('g1', { topics: ['t'], users: ['u'] });
    const g2 = gateway('g2', { topics: ['t'], users: ['u'] });
    const g3 = gateway('g3', { topics: ['marker'] });
    await waitUntil(async () => (await subscribers('t')) === 2 && (await subscribers('marker')) === 1);
    expect(g1.received[0]?.registered).toEqual({
      heartbeatIntervalMs: HEARTBEAT_MS,
      livenessTimeoutMs: LIVENESS_MS,
    });

    // A push-API publish reaches the two gateways with subscribers, not the third.
    const { id } = await publish(['t']);
    expect(id).toMatch(/^m[A-Za-z0-9_-]{11}\.[0-9a-z]+$/);
    const marker = await publish(['marker']);
    await waitUntil(() => g1.has(id) && g2.has(id) && g3.has(marker.id));
    expect(g3.has(id)).toBe(false);
    expect(g1.messages()[0]).toMatchObject({
      appId: 'app',
      target: { topic: 't' },
      topic: 't',
      dataJson: data,
    });

    // A client publish from gateway 1 reaches gateway 2 only.
    const clientMsg = {
      appId: 'app',
      target: { topic: 't' },
      topic: 't',
      dataJson: data,
      id: 'mg1.1',
      ts: Date.now(),
      topics: [],
      positions: [],
      requestId: 0,
      history: [],
    };
    g1.send({ publish: clientMsg });
    await waitUntil(() => g2.has('mg1.1'));
    const after = await publish(['t']);
    await waitUntil(() => g1.has(after.id));
    expect(g1.has('mg1.1')).toBe(false);

    // Send to a user: both gateways with the user; to a client: its gateway only.
    const toUser = await unary<cluster.SendRequest, cluster.SendReply>(client, 'send', {
      appId: 'app',
      target: { userId: 'u' },
      dataJson: data,
    });
    expect(toUser.delivered).toBe(2);
    expect(g3.commands()).toEqual([]);
    const toClient = await unary<cluster.SendRequest, cluster.SendReply>(client, 'send', {
      appId: 'app',
      target: { clientId: 'cg2.5' },
      topic: 'label',
      dataJson: data,
    });
    expect(toClient.delivered).toBe(1);
    expect(g1.commands()).toHaveLength(1);
    expect(g2.commands().at(-1)?.send).toMatchObject({
      target: { clientId: 'cg2.5' },
      topic: 'label',
      id: toClient.id,
    });
    const kicked = await unary<cluster.DisconnectRequest, cluster.DisconnectReply>(client, 'disconnect', {
      appId: 'app',
      userId: 'u',
    });
    expect(kicked.disconnected).toBe(2);

    const s = await stats();
    expect(s.gateways.map((g) => g.nodeId).sort()).toEqual(['g1', 'g2', 'g3']);
    expect(s.messagesRoutedTotal).toBeGreaterThanOrEqual(4);

    // Ending a stream removes its interest.
    g2.end();
    await waitUntil(async () => (await subscribers('t')) === 1);
    await waitUntil(() => g2.status !== null);
    expect(g2.status?.code).toBe(grpc.status.OK);

    // Re-attaching with a snapshot restores routing.
    const g2b = gateway('g2', { topics: ['t'] });
    await waitUntil(async () => (await subscribers('t')) === 2);
    const again = await publish(['t']);
    await waitUntil(() => g2b.has(again.id) && g1.has(again.id));
  });

  it('PublishStream: routes like Publish, answers each request id, refuses a bad one without ending', async () => {
    const g = gateway('ps1', { topics: ['streamed'] });
    await waitUntil(async () => (await subscribers('streamed')) === 1);
    const call = client.publishStream();
    const results: cluster.PublishResult[] = [];
    call.on('data', (r: cluster.PublishResult) => results.push(r));
    call.on('error', () => {});
    call.write({
      requestId: 7,
      request: { appId: 'app', topics: ['streamed'], dataJson: data, history: [] },
    });
    call.write({
      requestId: 8,
      request: { appId: 'app', topics: ['bad topic'], dataJson: data, history: [] },
    });
    call.write({
      requestId: 9,
      request: { appId: 'app', topics: ['streamed', 'other'], dataJson: data, history: [] },
    });
    await waitUntil(() => results.length === 3);
    expect(results.map((r) => [r.requestId, r.code])).toEqual([
      [7, 0],
      [8, grpc.status.INVALID_ARGUMENT],
      [9, 0],
    ]);
    expect(results[1]?.message).toMatch(/invalid topic/);
    const ids = [results[0]?.reply?.id, results[2]?.reply?.id];
    await waitUntil(() => ids.every((id) => g.has(id as string)));
    call.end();
  });

  it('expires a gateway that goes silent within the liveness bound', async () => {
    const silent = gateway('quiet', { topics: ['q'] }, { silent: true });
    await waitUntil(async () => (await subscribers('q')) === 1);
    const attached = Date.now();
    await waitUntil(async () => (await subscribers('q')) === 0, 5000);
    expect(Date.now() - attached).toBeLessThan(LIVENESS_MS * 1.25 + 500);
    await waitUntil(() => silent.status !== null);
    expect(silent.status?.code).toBe(grpc.status.UNAVAILABLE);
    expect((await stats()).gateways.some((g) => g.nodeId === 'quiet')).toBe(false);
  });

  it('ends a stream that does not register first with INVALID_ARGUMENT and rejects bad unary input', async () => {
    const call = client.attach();
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => {});
    call.write({ snapshot: { topics: [], users: [], slots: [], members: [] } });
    expect((await status).code).toBe(grpc.status.INVALID_ARGUMENT);

    await expect(
      unary(client, 'publish', { appId: 'app', topics: ['no spaces'], dataJson: data, history: [] }),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary(client, 'presence', { appId: '', userId: 'u' })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('serves the standard health service', async () => {
    const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const check = (svc: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        (health['Check'] as (r: unknown, cb: (e: Error | null, r: { status: string }) => void) => void).call(
          health,
          { service: svc },
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      );
    expect((await check('')).status).toBe('SERVING');
    expect((await check('beacon.cluster.v1.TopicService')).status).toBe('SERVING');
    health.close();
  });
});

describe('topic-service writes to a gateway that stops reading', () => {
  it('drops it as slow once its stream holds more bytes than the bound, long before the message bound', async () => {
    const port = await freePort();
    const maxBytes = 1024 * 1024;
    const service = await startTopicService(
      TopicServiceModule.forRoot({
        heartbeatIntervalMs: HEARTBEAT_MS,
        // Long enough that only the byte bound can remove the stalled gateway in this test.
        livenessTimeoutMs: 60_000,
        commandTimeoutMs: 1000,
        limits: { maxQueuedBytesPerGateway: maxBytes },
      }),
      { host: '127.0.0.1', port, logger: false },
    );
    const proxy = await StallProxy.start({ host: '127.0.0.1', port });
    const direct = new cluster.TopicServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const viaProxy = new cluster.TopicServiceClient(proxy.address, grpc.credentials.createInsecure());
    const g = new FakeGateway(viaProxy, 'stuck', { topics: ['big'] });
    try {
      const slow = () => service.router.counters()['beacon_topic_service_gateways_slow_total'];
      const attached = async () =>
        (await unary<cluster.ClusterStatsRequest, cluster.ClusterStatsReply>(direct, 'clusterStats', {}))
          .gateways.length;
      await waitUntil(async () => (await attached()) === 1);
      proxy.stall('toClient');
      const payload = Buffer.from(JSON.stringify('x'.repeat(60_000)));
      let sent = 0;
      // 400 x 60 KB = 24 MB, 400 messages: far below the 50 000-message bound.
      while (sent < 400 && slow() === 0) {
        await unary(direct, 'publish', { appId: 'app', topics: ['big'], dataJson: payload, history: [] });
        sent++;
      }
      expect(slow()).toBe(1);
      expect(sent).toBeLessThan(400);
      expect(await attached()).toBe(0);
      proxy.resume();
      await waitUntil(() => g.status !== null);
      expect(g.status?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(g.status?.details).toMatch(/bytes/);
    } finally {
      g.cancel();
      direct.close();
      viaProxy.close();
      await proxy.close();
      await service.close();
    }
  });
});
