import 'reflect-metadata';
import { startPushApi } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const api = await startPushApi(config);
  const bound = config.host === api.url.slice(7).split(':')[0] ? '' : ` (bound to ${config.host})`;
  process.stdout.write(`push-api listening on ${api.url}${bound}\n`);
  if (api.grpcAddress !== null)
    process.stdout.write(`push-api gRPC listening on ${api.grpcAddress}${bound}\n`);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`push-api: ${signal}, finishing calls and flushing the audit log\n`);
    api.close().then(
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
