import 'reflect-metadata';
import { closeOnSignals, exitOnStartFailure, reachableHost } from '@beacon/ops';
import { startBeacon } from './bootstrap.js';
import { loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const beacon = await startBeacon(config);
  // before the first line is printed: whoever waits for it may signal at once
  closeOnSignals('beacon', () => beacon.close());
  if (beacon.createdDevApp !== null) process.stdout.write(devAppBanner(beacon.createdDevApp));
  const bound = reachableHost(config.host) === config.host ? '' : ` (bound to ${config.host})`;
  process.stdout.write(
    `beacon listening on ${beacon.url}${bound}; clients: ${beacon.url.replace('http', 'ws')}/ws?app=<key>\n`,
  );
  if (beacon.grpcAddress !== null)
    process.stdout.write(`beacon gRPC listening on ${beacon.grpcAddress}${bound}\n`);
  process.stdout.write(`dashboard: ${beacon.dashboardUrl}\n`);
  if (beacon.chatDemoUrl !== null)
    process.stdout.write(
      `chat demo: ${beacon.chatDemoUrl}  (open it in two tabs; BEACON_CHAT_DEMO=off hides it)\n`,
    );
  if (beacon.createdAdmin !== null) process.stdout.write(adminBanner(beacon.createdAdmin));
}

function devAppBanner(dev: NonNullable<Awaited<ReturnType<typeof startBeacon>>['createdDevApp']>): string {
  const given = '(as given in the environment; not shown)';
  return (
    [
      '',
      dev.open
        ? 'Beacon created a development app on first run (anonymous clients and client publish allowed on loopback):'
        : 'Beacon created a development app on first run. It is bound to the network, so the app requires tokens\n' +
          '(no anonymous clients, no client publish): npm run beacon -- apps update <key> to change that.',
      `  app key:        ${dev.key}`,
      `  push secret:    ${dev.secret ?? given}     (backends: Authorization: Bearer <push secret>)`,
      `  token key:      ${dev.tokenKey.secret ?? given}     (HS256, kid ${dev.tokenKey.kid}: signs client tokens)`,
      'The secrets are shown this once; store them now (npm run beacon -- apps rotate / keys add to replace them).',
      '',
    ].join('\n') + '\n'
  );
}

function adminBanner(admin: { email: string; password: string | null }): string {
  return (
    [
      '',
      'Beacon created the first dashboard operator (role admin):',
      `  email:          ${admin.email}`,
      `  password:       ${admin.password ?? '(as given in BEACON_ADMIN_PASSWORD; not shown)'}`,
      ...(admin.password === null
        ? []
        : [
            'The password is shown this once; store it now (npm run beacon -- operators create to add others).',
          ]),
      '',
    ].join('\n') + '\n'
  );
}

main().catch(exitOnStartFailure);
