import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BeaconWsAdapter, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { BeaconLogger, httpAdapter, listenHttp } from '@beacon/ops';
import { migrate, Persistence, registerAuditMetrics } from '@beacon/persistence';
import { servePushApi } from '@beacon/push-api';
import { newNodeId } from '@beacon/routing';
import { BeaconModule } from './app.module.js';
import type { BeaconConfig } from './config.js';

export interface RunningBeacon {
  app: NestFastifyApplication;
  /** http://host:port, with 127.0.0.1 for a wildcard bind. */
  url: string;
  port: number;
  /** gRPC PushService address (`host:port`, 127.0.0.1 for a wildcard bind), or null when BEACON_GRPC_PORT=off. */
  grpcAddress: string | null;
  nodeId: string;
  /** Set on the run that created the development app; the secret is shown this once. */
  createdDevApp: { key: string; secret: string } | null;
  persistence: Persistence;
  metrics: MetricsRegistry;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Gateway hook classes (Nest providers), run after the built-in permission hooks. */
  hooks?: Array<Type<GatewayHooks>>;
}

/** Starts the single-process platform: migrations, first-run app, gateway, push API (REST and gRPC), health. */
export async function startBeacon(config: BeaconConfig, options: StartOptions = {}): Promise<RunningBeacon> {
  await migrate({ databaseUrl: config.databaseUrl });
  const persistence = await Persistence.open({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    secretKey: config.secretKey,
    audit: config.audit,
  });
  try {
    const dev = await persistence.apps.ensureDevApp({
      key: config.devApp.key,
      secret: config.devApp.secret,
      settings: { allowAnonymous: true, clientPublish: true },
    });
    const nodeId = newNodeId();
    const metrics = new MetricsRegistry();
    registerAuditMetrics(metrics, persistence.audit);

    const app = await NestFactory.create<NestFastifyApplication>(
      BeaconModule.forRoot(config, persistence, nodeId, metrics, options.hooks),
      httpAdapter(),
      { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
    );
    app.useWebSocketAdapter(new BeaconWsAdapter(app, { maxPayload: config.limits.maxFrameBytes }));
    const grpc = await servePushApi(app, {
      host: config.host,
      grpcPort: config.grpcPort,
    });
    const { port, url } = await listenHttp(app, config.port, config.host);
    return {
      app,
      url,
      port,
      grpcAddress: grpc,
      nodeId,
      createdDevApp:
        dev.created && dev.secret !== undefined ? { key: dev.app.key, secret: dev.secret } : null,
      persistence,
      metrics,
      async close() {
        await app.close();
        await persistence.close();
      },
    };
  } catch (err) {
    await persistence.close();
    throw err;
  }
}
