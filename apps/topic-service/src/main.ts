import 'reflect-metadata';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { startTopicService } from '@beacon/topic-service';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig, nestLogLevels } from './config.js';

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

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    console.error(`topic-service: ${signal}, ending gateway streams and closing`);
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
