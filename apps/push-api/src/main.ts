import 'reflect-metadata';
import { closeOnSignals, exitOnStartFailure, reachableHost } from '@beacon/ops';
import { startPushApi } from './bootstrap.js';
import { loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const api = await startPushApi(config);
  const bound = reachableHost(config.host) === config.host ? '' : ` (bound to ${config.host})`;
  process.stdout.write(`push-api listening on ${api.url}${bound}\n`);
  if (api.grpcAddress !== null)
    process.stdout.write(`push-api gRPC listening on ${api.grpcAddress}${bound}\n`);

  closeOnSignals('push-api', () => api.close());
}

main().catch(exitOnStartFailure);
