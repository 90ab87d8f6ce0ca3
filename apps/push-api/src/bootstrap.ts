import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ADMIN_OPTIONS,
  DASHBOARD_PATH,
  ensureFirstAdmin,
  serveAdminOn,
  type AdminModuleOptions,
} from '@beacon/admin';
import { ClusterRouter } from '@beacon/cluster';
import { MetricsRegistry } from '@beacon/metrics';
import { BeaconLogger, httpAdapter, listenHttp } from '@beacon/ops';
import { Logger } from '@nestjs/common';
import { migrate, Persistence, registerAuditMetrics, watchApps } from '@beacon/persistence';
import { APP_AUTHENTICATOR, CachedAuthenticator, servePushApi } from '@beacon/push-api';
import type { PushApiConfig } from './config.js';
import { clusterAdminSources } from '@beacon/stats';
import { newNodeId } from '@beacon/routing';
import { PushApiAppModule } from './push-api-app.module.js';

export interface RunningPushApi {
  app: NestFastifyApplication;
  /** http://host:port, with 127.0.0.1 for a wildcard bind. */
  url: string;
  port: number;
  /** gRPC PushService address (`host:port`), or null when BEACON_GRPC_PORT=off. */
  grpcAddress: string | null;
  persistence: Persistence;
  /** Where the dashboard is served. */
  dashboardUrl: string;
  /** Set when this start created the first operator (see apps/beacon): shown once. */
  createdAdmin: { email: string; password: string | null } | null;
  close(): Promise<void>;
}

/** The built dashboard of this checkout (apps/dashboard/dist), unless BEACON_DASHBOARD_DIR says otherwise. */
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

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
    const createdAdmin = await ensureFirstAdmin(persistence, config.admin.firstAdmin);
    const metrics = new MetricsRegistry({ processMetrics: true });
    registerAuditMetrics(metrics, persistence.audit);
    // The cluster's statistics and directories, from the topic-service (WatchStats and directory RPCs).
    const sources = clusterAdminSources({
      topicServiceUrl: config.topicServiceUrl,
      clusterToken: config.clusterToken,
      deadlineMs: config.topicServiceDeadlineMs,
      nodeId: newNodeId(),
    });
    const adminOptions: AdminModuleOptions = {
      liveStats: sources.liveStats,
      topics: sources.topics,
      connections: sources.connections,
      settings: config.admin.settings,
    };
    const app = await NestFactory.create<NestFastifyApplication>(
      PushApiAppModule.forRoot(config, persistence, router, metrics, adminOptions),
      httpAdapter(),
      { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
    );
    const grpc = await servePushApi(app, {
      host: config.host,
      grpcPort: config.grpcPort,
    });
    const adminLog = new Logger('Admin');
    await serveAdminOn(app.getHttpAdapter().getInstance(), {
      options: app.get<symbol, AdminModuleOptions>(ADMIN_OPTIONS, { strict: false }),
      store: persistence,
      router,
      dashboardDir: config.admin.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
      maxTopicLength: config.maxTopicLength,
      logError: (m) => adminLog.error(m),
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
      dashboardUrl: `${url}${DASHBOARD_PATH}`,
      createdAdmin,
      async close() {
        await appChanges.stop();
        await app.close();
        sources.stop();
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
