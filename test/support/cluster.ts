import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterRouter } from '@beacon/cluster';
import { migrate, Persistence, type CreateAppInput } from '@beacon/persistence';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './beacon.js';
import { freePort } from './ports.js';
import { dist, ServiceProcess } from './service.js';
import { waitUntil } from './wait.js';

export interface ClusterOptions {
  gateways?: number;
  heartbeatMs?: number;
  livenessMs?: number;
}

/**
 * The split deployment as real processes on 127.0.0.1: one topic-service, N gateways, one push-api,
 * sharing a SQLite file (the push-api and the tests migrate it; gateways only read apps).
 */
export class TestCluster {
  readonly gateways: ServiceProcess[] = [];
  topicService!: ServiceProcess;
  pushApi!: ServiceProcess;
  tsPort = 0;
  grpcPort = 0;
  app = { key: 'clusterapp', secret: '', tokenKey: '', id: '' };
  readonly clusterToken = 'cluster-token-for-tests-0123456789';
  /** A client of the topic-service, for asserting on its view of the cluster. */
  control!: ClusterRouter;
  private constructor(
    readonly dataDir: string,
    readonly options: Required<ClusterOptions>,
  ) {}

  static async start(opts: ClusterOptions = {}): Promise<TestCluster> {
    const c = new TestCluster(mkdtempSync(join(tmpdir(), 'beacon-cluster-')), {
      gateways: opts.gateways ?? 2,
      heartbeatMs: opts.heartbeatMs ?? 200,
      livenessMs: opts.livenessMs ?? 1_000,
    });
    try {
      await c.boot();
      return c;
    } catch (err) {
      await c.stop();
      throw err;
    }
  }

  get databaseUrl(): string {
    return `file:${join(this.dataDir, 'beacon.db')}`;
  }

  private async boot(): Promise<void> {
    await migrate({ databaseUrl: this.databaseUrl });
    const p = await Persistence.open({ databaseUrl: this.databaseUrl, dataDir: this.dataDir });
    const { app, secret, tokenKey } = await p.apps.create({
      name: 'Cluster',
      key: this.app.key,
      settings: { allowAnonymous: true, clientPublish: true },
    });
    this.app = { key: app.key, secret, tokenKey: tokenKey.secret, id: app.id };
    await p.close();

    this.tsPort = await freePort();
    await this.startTopicService();
    this.control = new ClusterRouter({
      topicServiceUrl: `127.0.0.1:${this.tsPort}`,
      deadlineMs: 2_000,
      clusterToken: this.clusterToken,
    });
    for (let i = 0; i < this.options.gateways; i++) this.gateways.push(await this.startGateway(i + 1));
    await this.waitForGateways(this.options.gateways);
    this.grpcPort = await freePort();
    this.pushApi = await ServiceProcess.start(
      'push-api',
      dist('push-api'),
      {
        BEACON_PORT: '0',
        BEACON_GRPC_PORT: String(this.grpcPort),
        BEACON_TOPIC_SERVICE_URL: `127.0.0.1:${this.tsPort}`,
        BEACON_CLUSTER_TOKEN: this.clusterToken,
        BEACON_DATA_DIR: this.dataDir,
        BEACON_AUDIT_FLUSH_MS: '20',
        BEACON_ADMIN_EMAIL: ADMIN_EMAIL,
        BEACON_ADMIN_PASSWORD: ADMIN_PASSWORD,
      },
      /push-api gRPC listening/,
    );
  }

  async startTopicService(): Promise<void> {
    this.topicService = await ServiceProcess.start(
      'topic-service',
      dist('topic-service'),
      {
        BEACON_TOPIC_SERVICE_PORT: String(this.tsPort),
        BEACON_CLUSTER_TOKEN: this.clusterToken,
        BEACON_HEARTBEAT_INTERVAL_MS: String(this.options.heartbeatMs),
        BEACON_LIVENESS_TIMEOUT_MS: String(this.options.livenessMs),
      },
      /topic-service listening on/,
    );
  }

  private startGateway(n: number): Promise<ServiceProcess> {
    return ServiceProcess.start(
      `gateway-${n}`,
      dist('gateway'),
      {
        BEACON_PORT: '0',
        BEACON_TOPIC_SERVICE_URL: `127.0.0.1:${this.tsPort}`,
        BEACON_CLUSTER_TOKEN: this.clusterToken,
        BEACON_DATA_DIR: this.dataDir,
        BEACON_APP_CACHE_TTL_MS: '0',
      },
      /listening on http/,
    );
  }

  /** Another app in the cluster's database (gateways read it on the next connect: no cache). */
  async createApp(
    key: string,
    settings: NonNullable<CreateAppInput['settings']>,
  ): Promise<{ id: string; key: string; secret: string; tokenKey: string }> {
    const p = await Persistence.open({ databaseUrl: this.databaseUrl, dataDir: this.dataDir });
    try {
      const { app, secret, tokenKey } = await p.apps.create({ name: key, key, settings });
      return { id: app.id, key: app.key, secret, tokenKey: tokenKey.secret };
    } finally {
      await p.close();
    }
  }

  /** Connection slots the topic-service counts, all gateways and apps together. */
  async connectionSlots(): Promise<number> {
    const stats = await this.control.clusterStats();
    return stats.gateways.reduce((n, g) => n + g.connectionSlots, 0);
  }

  async waitForGateways(n: number, timeoutMs = 10_000): Promise<void> {
    await waitUntil(
      async () => (await this.control.clusterStats().catch(() => ({ gateways: [] }))).gateways.length === n,
      timeoutMs,
      () => `topic-service does not see ${n} gateways`,
    );
  }

  gatewayUrl(i: number): string {
    return /listening on (http:\/\/[\d.]+:\d+)/.exec(this.gateways[i]!.stdout)![1]!;
  }

  gatewayNodeId(i: number): string {
    return /gateway (\S+) listening/.exec(this.gateways[i]!.stdout)![1]!;
  }

  wsUrl(i: number, token?: string, appKey = this.app.key): string {
    return `${this.gatewayUrl(i).replace('http', 'ws')}/ws?app=${appKey}${token === undefined ? '' : `&token=${token}`}`;
  }

  get pushUrl(): string {
    return /push-api listening on (http:\/\/[\d.]+:\d+)/.exec(this.pushApi.stdout)![1]!;
  }

  async api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.pushUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.app.secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** A gateway's Prometheus counters. */
  async metrics(i: number): Promise<Record<string, number>> {
    const text = await (await fetch(`${this.gatewayUrl(i)}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^(\w+) (\S+)$/.exec(line);
      if (m !== null) out[m[1]!] = Number(m[2]);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.control?.close();
    await Promise.all(
      [this.pushApi, ...this.gateways, this.topicService]
        .filter((p) => p !== undefined)
        .map((p) => p.kill9()),
    );
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
