import type { AddressInfo } from 'node:net';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ClusterRouter } from '@beacon/cluster';
import { MetricsRegistry } from '@beacon/metrics';
import { migrate, Persistence, type AuditLog } from '@beacon/persistence';
import { grpcAddress, pushApiBodyParser, pushGrpcOptions } from '@beacon/push-api';
import type { PushApiConfig } from './config.js';
import { PushApiAppModule } from './push-api-app.module.js';

const LEVELS: Record<PushApiConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

export interface RunningPushApi {
  app: NestExpressApplication;
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
  });
  try {
    const metrics = new MetricsRegistry();
    auditMetrics(metrics, persistence.audit);
    const app = await NestFactory.create<NestExpressApplication>(
      PushApiAppModule.forRoot(config, persistence, router, metrics),
      { bodyParser: false, logger: LEVELS[config.logLevel] },
    );
    app.use(...pushApiBodyParser(config.maxMessageBytes));
    if (config.grpcPort !== null) {
      app.connectMicroservice(pushGrpcOptions(grpcAddress(config.host, config.grpcPort)));
      await app.startAllMicroservices();
    }
    await app.listen(config.port, config.host);
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    return {
      app,
      url: `http://${host}:${port}`,
      port,
      grpcAddress: config.grpcPort === null ? null : grpcAddress(host, config.grpcPort),
      persistence,
      async close() {
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

/** The audit pipeline's counters, under the names apps/beacon exports. */
function auditMetrics(metrics: MetricsRegistry, audit: AuditLog): void {
  metrics.counterFrom('beacon_audit_written_total', 'Audit records written', () => audit.stats().written);
  metrics.counterFrom(
    'beacon_audit_dropped_total',
    'Audit records dropped: queue full',
    () => audit.stats().dropped,
  );
  metrics.counterFrom(
    'beacon_audit_failed_total',
    'Audit records lost to write failures',
    () => audit.stats().failed,
  );
  metrics.gauge('beacon_audit_queued', 'Audit records waiting to be written', () => audit.stats().queued);
}
