import 'reflect-metadata';
import { startBeacon } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const beacon = await startBeacon(config);
  if (beacon.createdDevApp !== null) {
    const { key, secret } = beacon.createdDevApp;
    process.stdout.write(
      [
        '',
        'Beacon created a development app on first run (anonymous clients and client publish allowed):',
        `  app key:    ${key}`,
        `  app secret: ${secret}`,
        'The secret is shown this once; store it now (rotate with: npm run beacon -- apps rotate <key>).',
        '',
      ].join('\n') + '\n',
    );
  }
  const bound = config.host === beacon.url.slice(7).split(':')[0] ? '' : ` (bound to ${config.host})`;
  process.stdout.write(
    `beacon listening on ${beacon.url}${bound}; clients: ${beacon.url.replace('http', 'ws')}/ws?app=<key>\n`,
  );
  if (beacon.grpcAddress !== null)
    process.stdout.write(`beacon gRPC listening on ${beacon.grpcAddress}${bound}\n`);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`beacon: ${signal}, closing connections and flushing the audit log\n`);
    beacon.close().then(
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
