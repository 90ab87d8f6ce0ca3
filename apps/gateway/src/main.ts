import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { GatewayLink } from '@beacon/cluster';
import { BeaconWsAdapter } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { closeOnSignals, exitOnStartFailure, BeaconLogger, listenHttp } from '@beacon/ops';
import { Persistence } from '@beacon/persistence';
import { newNodeId } from '@beacon/routing';
import { GatewayAppModule } from './app.module.js';
import { loadConfig } from './config.js';

/** A gateway of the split deployment: client WebSockets here, routing through the topic-service. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Gateways read apps and secrets; migrations are the push API's (or the CLI's) job.
  const persistence = await Persistence.open({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    secretKey: config.secretKey,
  });
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
  const app = await NestFactory.create<NestExpressApplication>(
    GatewayAppModule.forRoot(config, persistence, nodeId, metrics, link),
    { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
  );
  app.useWebSocketAdapter(new BeaconWsAdapter(app, { maxPayload: config.limits.maxFrameBytes }));
  const { url } = await listenHttp(app, config.port, config.host);
  process.stdout.write(`gateway ${nodeId} listening on ${url}; topic-service ${config.topicServiceUrl}\n`);

  closeOnSignals('gateway', () => app.close().then(() => persistence.close()));
}

main().catch(exitOnStartFailure);
