import 'reflect-metadata';
import { closeOnSignals, exitOnStartFailure, reachableHost } from '@beacon/ops';
import { startBeacon } from './bootstrap.js';
import { loadConfig } from './config.js';

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
  const bound = reachableHost(config.host) === config.host ? '' : ` (bound to ${config.host})`;
  process.stdout.write(
    `beacon listening on ${beacon.url}${bound}; clients: ${beacon.url.replace('http', 'ws')}/ws?app=<key>\n`,
  );
  if (beacon.grpcAddress !== null)
    process.stdout.write(`beacon gRPC listening on ${beacon.grpcAddress}${bound}\n`);

  closeOnSignals('beacon', () => beacon.close());
}

main().catch(exitOnStartFailure);
