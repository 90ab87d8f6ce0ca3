import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClusterRouter } from '@beacon/cluster';
import { MetricsRegistry } from '@beacon/metrics';
import { BeaconLogger, httpAdapter, listenHttp } from '@beacon/ops';
import { Logger } from '@nestjs/common';
import { migrate, Persistence, registerAuditMetrics, watchApps } from '@beacon/persistence';
import { APP_AUTHENTICATOR, CachedAuthenticator, servePushApi } from '@beacon/push-api';
import type { PushApiConfig } from './config.js';
import { PushApiAppModule } from './push-api-app.module.js';

export interface RunningPushApi {
  app: NestFastifyApplication;
  /** http://host:port, with 127.0.0.1 for a wildcard bind. */
  url: string;
  port: number;
  /** gRPC PushService address (`host:port`), or null when BEACON_GRPC_PORT=off. */
  grpcAddress: string | null;
  persistence: Persistence;
  close(): Promise<void>;
}

/**
 * Starts the split deployment's push API: migrations, REST v1 + gRPC PushService forwarding to the
 * topic-service, /healthz /readyz /metrics. It creates no app (the CLI or the single process does).
 */
export async function startPushApi(config: PushApiConfig): Promise<RunningPushApi> {
  await migrate({ databaseUrl: config.databaseUrl });
  const persistence = await Persistence.open({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    secretKey: config.secretKey,
    audit: config.audit,
  });
  const router = new ClusterRouter({
    topicServiceUrl: config.topicServiceUrl,
    deadlineMs: config.topicServiceDeadlineMs,
    clusterToken: config.clusterToken,
  });
  try {
    const metrics = new MetricsRegistry();
    registerAuditMetrics(metrics, persistence.audit);
    const app = await NestFactory.create<NestFastifyApplication>(
      PushApiAppModule.forRoot(config, persistence, router, metrics),
      httpAdapter(),
      { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
    );
    const grpc = await servePushApi(app, {
      host: config.host,
      grpcPort: config.grpcPort,
    });
    const { port, url } = await listenHttp(app, config.port, config.host);
    const authenticator: unknown = app.get(APP_AUTHENTICATOR, { strict: false });
    const appChanges = await watchApps(persistence.changes, {
      intervalMs: config.appChangePollMs,
      invalidate: () => {
        if (authenticator instanceof CachedAuthenticator) authenticator.invalidate();
      },
      log: new Logger('AppChanges'),
    });
    return {
      app,
      url,
      port,
      grpcAddress: grpc,
      persistence,
      async close() {
        await appChanges.stop();
        await app.close();
        router.close();
        await persistence.close();
      },
    };
  } catch (err) {
    router.close();
    await persistence.close();
    throw err;
  }
}
