import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { TestCluster } from '../support/cluster.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

// Issue 6 item 5, across the cluster: a change made by the CLI (its own process, the shared database)
// reaches both gateways' open connections and the push API's cache within 2 s, through the app change feed.

const CLI_JS = fileURLToPath(new URL('../../apps/beacon/dist/cli.js', import.meta.url));
const WITHIN_MS = 2_000;

let c: TestCluster;
beforeAll(async () => {
  c = await TestCluster.start({ gateways: 2 });
}, 90_000);
afterAll(async () => {
  await c?.stop();
});

const cli = async (...args: string[]): Promise<string> =>
  (
    await promisify(execFile)(process.execPath, [CLI_JS, ...args], {
      env: { ...process.env, BEACON_DATA_DIR: c.dataDir, BEACON_LOG_LEVEL: 'error' },
    })
  ).stdout;

const status = async (secret: string): Promise<number> =>
  (await fetch(`${c.pushUrl}/v1/topics`, { headers: { authorization: `Bearer ${secret}` } })).status;

describe('app changes across the cluster', () => {
  it('disabling closes the app’s clients on every gateway with 4003; rotating retires the old secret', async () => {
    const app = await c.createApp('toggle', { allowAnonymous: true });
    expect(await status(app.secret)).toBe(200); // cached in the push API from here on
    const clients = [
      await TestClient.connect(c.wsUrl(0, undefined, 'toggle')),
      await TestClient.connect(c.wsUrl(1, undefined, 'toggle')),
    ];
    const bystander = await TestClient.connect(c.wsUrl(0));

    await cli('apps', 'disable', 'toggle');
    for (const client of clients) expect(await client.waitClosed(WITHIN_MS)).toBe(CloseCode.AppDisabled);
    await waitUntil(async () => (await status(app.secret)) === 403, WITHIN_MS);
    expect(bystander.closeCode).toBeNull();

    await cli('apps', 'enable', 'toggle');
    await waitUntil(async () => (await status(app.secret)) === 200, WITHIN_MS);
    const out = await cli('apps', 'rotate', 'toggle');
    const fresh = /push secret for toggle: (\S+)/.exec(out)![1]!;
    await waitUntil(async () => (await status(app.secret)) === 401, WITHIN_MS);
    expect(await status(fresh)).toBe(200);
    bystander.close();
  });
});
