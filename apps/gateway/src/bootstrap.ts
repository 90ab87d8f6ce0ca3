import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GatewayLink } from '@beacon/cluster';
import { Logger } from '@nestjs/common';
import { BeaconWsAdapter, ClientGateway, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { BeaconLogger, httpAdapter, listenHttp } from '@beacon/ops';
import { Persistence, watchApps, type AppChangeWatcher } from '@beacon/persistence';
import { newNodeId } from '@beacon/routing';
import { gatewayStatsReporter } from '@beacon/stats';
import { GatewayAppModule } from './app.module.js';
import type { GatewayConfig } from './config.js';

export interface RunningGateway {
  app: NestFastifyApplication;
  /** http://host:port, with 127.0.0.1 for a wildcard bind. */
  url: string;
  port: number;
  nodeId: string;
  link: GatewayLink;
  metrics: MetricsRegistry;
  /** The app change feed's watcher: disabling, deleting or re-keying an app reaches this gateway's clients. */
  appChanges: AppChangeWatcher;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Gateway hook classes (Nest providers), run after the built-in permission hooks. */
  hooks?: Array<Type<GatewayHooks>>;
}

/**
 * Starts a gateway of the split deployment: client WebSockets here, routing through the topic-service.
 * An embedding app calls it with its own hooks; main.ts calls it without.
 */
export async function startGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = {},
): Promise<RunningGateway> {
  // Gateways read apps and secrets; migrations are the push API's (or the CLI's) job.
  const persistence = await Persistence.open({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    secretKey: config.secretKey,
  });
  try {
    const nodeId = newNodeId();
    const metrics = new MetricsRegistry({ processMetrics: true });
    const link = new GatewayLink(
      {
        topicServiceUrl: config.topicServiceUrl,
        clusterToken: config.clusterToken,
        nodeId,
        address: config.publicUrl ?? `${config.host}:${config.port}`,
        maxBufferedPublishes: config.publishBuffer,
        maxBufferedBytes: config.publishBufferBytes,
      },
      metrics,
    );
    const lifecycle = { draining: false };
    const app = await NestFactory.create<NestFastifyApplication>(
      GatewayAppModule.forRoot(config, persistence, nodeId, metrics, link, options.hooks, lifecycle),
      httpAdapter(),
      { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
    );
    app.useWebSocketAdapter(new BeaconWsAdapter(app, { maxPayload: config.limits.maxFrameBytes }));
    const { port, url } = await listenHttp(app, config.port, config.host);
    const gateway = app.get(ClientGateway, { strict: false });
    const appChanges = await watchApps(persistence.changes, {
      intervalMs: config.appChangePollMs,
      reconcile: (appId, appKey) => gateway.reconcileApp(appId, appKey),
      log: new Logger('AppChanges'),
    });
    // The dashboard's view of this gateway: a sample a second and directory answers, on their own stream.
    const stats = gatewayStatsReporter(gateway, {
      topicServiceUrl: config.topicServiceUrl,
      clusterToken: config.clusterToken,
      address: config.publicUrl ?? `${config.host}:${port}`,
    });
    return {
      app,
      url,
      port,
      nodeId,
      link,
      metrics,
      appChanges,
      async close() {
        // Drain first (readiness 503, drain frames, close 1012, wait up to BEACON_DRAIN_MS), then stop.
        lifecycle.draining = true;
        await gateway.drain();
        stats.stop();
        await appChanges.stop();
        await app.close();
        await persistence.close();
      },
    };
  } catch (err) {
    await persistence.close();
    throw err;
  }
}
