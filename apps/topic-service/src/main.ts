import 'reflect-metadata';
import { BeaconLogger, closeOnSignals, exitOnStartFailure } from '@beacon/ops';
import { startTopicService } from '@beacon/topic-service';
import { AppModule } from './app.module.js';
import { loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startTopicService(AppModule.forRoot(config), {
    host: config.host,
    port: config.port,
    // Everything on stderr: stdout carries exactly one line, the "listening" line.
    logger: new BeaconLogger(config.logLevel, true),
  });
  // before the listening line: whoever waits for it may signal at once
  closeOnSignals('topic-service', () => service.close());
  process.stdout.write(`topic-service listening on ${config.host}:${config.port}\n`);
  if (config.clusterToken === undefined) {
    process.stderr.write(
      'topic-service: BEACON_CLUSTER_TOKEN is not set: accepted on loopback only, where any local process can publish and disconnect; set it on every cluster process\n',
    );
  }
}

main().catch(exitOnStartFailure);
