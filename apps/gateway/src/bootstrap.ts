import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GatewayLink } from '@beacon/cluster';
import { BeaconWsAdapter, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { BeaconLogger, httpAdapter, listenHttp } from '@beacon/ops';
import { Persistence } from '@beacon/persistence';
import { newNodeId } from '@beacon/routing';
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
    const metrics = new MetricsRegistry();
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
    const app = await NestFactory.create<NestFastifyApplication>(
      GatewayAppModule.forRoot(config, persistence, nodeId, metrics, link, options.hooks),
      httpAdapter(),
      { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
    );
    app.useWebSocketAdapter(new BeaconWsAdapter(app, { maxPayload: config.limits.maxFrameBytes }));
    const { port, url } = await listenHttp(app, config.port, config.host);
    return {
      app,
      url,
      port,
      nodeId,
      link,
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
