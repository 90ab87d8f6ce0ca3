import 'reflect-metadata';
import { closeOnSignals, exitOnStartFailure, nestLogLevels } from '@beacon/ops';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { startTopicService } from '@beacon/topic-service';
import { AppModule } from './app.module.js';
import { loadConfig } from './config.js';

/** Nest's log lines go to stderr: stdout carries exactly one line, the "listening" line. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startTopicService(AppModule.forRoot(config), {
    host: config.host,
    port: config.port,
    logger: new StderrLogger({ logLevels: nestLogLevels(config.logLevel) }),
  });
  process.stdout.write(`topic-service listening on ${config.host}:${config.port}\n`);
  if (config.clusterToken === undefined) {
    process.stderr.write(
      'topic-service: BEACON_CLUSTER_TOKEN is not set: any caller that reaches this port can publish and disconnect; set it on every cluster process\n',
    );
  }

  closeOnSignals('topic-service', () => service.close());
}

main().catch(exitOnStartFailure);
