import 'reflect-metadata';
import { closeOnSignals, exitOnStartFailure, reachableHost } from '@beacon/ops';
import { startPushApi } from './bootstrap.js';
import { loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const api = await startPushApi(config);
  // before the first line is printed: whoever waits for it may signal at once
  closeOnSignals('push-api', () => api.close());
  const bound = reachableHost(config.host) === config.host ? '' : ` (bound to ${config.host})`;
  process.stdout.write(`push-api listening on ${api.url}${bound}\n`);
  if (api.grpcAddress !== null)
    process.stdout.write(`push-api gRPC listening on ${api.grpcAddress}${bound}\n`);
  process.stdout.write(`dashboard: ${api.dashboardUrl}\n`);
  if (api.createdAdmin !== null)
    process.stdout.write(
      `created the first dashboard operator (admin): ${api.createdAdmin.email} / ${
        api.createdAdmin.password ?? '(BEACON_ADMIN_PASSWORD, not shown)'
      }; shown this once\n`,
    );
}

main().catch(exitOnStartFailure);
