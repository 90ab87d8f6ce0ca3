import 'reflect-metadata';
import { closeOnSignals, exitOnStartFailure } from '@beacon/ops';
import { startGateway } from './bootstrap.js';
import { loadConfig } from './config.js';

/** A gateway of the split deployment: client WebSockets here, routing through the topic-service. */
async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await startGateway(config);
  // before the first line is printed: whoever waits for it may signal at once
  closeOnSignals('gateway', () => gateway.close());
  process.stdout.write(
    `gateway ${gateway.nodeId} listening on ${gateway.url}; topic-service ${config.topicServiceUrl}\n`,
  );
}

main().catch(exitOnStartFailure);
