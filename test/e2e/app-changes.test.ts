import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

// Issue 6, item 5: disabling, deleting, rotating or re-keying an app takes effect on open connections and
// caches within 2 s, whoever makes the change. Here the change is made by the CLI, a separate process on
// the same database, as an operator would; the server learns of it only through the app change feed.

const CLI_JS = fileURLToPath(new URL('../../apps/beacon/dist/cli.js', import.meta.url));
const run = promisify(execFile);
/** The bound the issue sets, counted from the moment the CLI has exited. */
const WITHIN_MS = 2_000;

let beacon: TestBeacon;
beforeAll(async () => {
  // A long cache TTL, so only the change feed (not expiry) can explain what the tests see.
  beacon = await startTestBeacon({ BEACON_APP_CACHE_TTL_MS: '60000' });
});
afterAll(async () => {
  await beacon.stop();
});

async function cli(...args: string[]): Promise<string> {
  const env = { ...process.env, BEACON_DATA_DIR: beacon.dataDir, BEACON_LOG_LEVEL: 'error' };
  return (await run(process.execPath, [CLI_JS, ...args], { env })).stdout;
}

async function makeApp(key: string, settings: Record<string, unknown> = {}) {
  const made = await beacon.persistence.apps.create({ name: key, key, settings });
  // warm every cache with this app (connect path and push API)
  expect((await beacon.api('GET', '/v1/topics', undefined, made.secret)).status).toBe(200);
  return made;
}

describe('app changes reach open connections and caches (CLI in another process)', () => {
  it('apps disable closes the app’s clients with 4003 and the push API answers 403; enable restores', async () => {
    const { secret, tokenKey } = await makeApp('dis', { allowAnonymous: true });
    const anon = await TestClient.connect(beacon.wsUrl('dis'));
    const user = await TestClient.connect(
      beacon.wsUrl('dis', await signToken(tokenKey.secret, { sub: 'u' })),
    );
    const bystander = await TestClient.connect(beacon.wsUrl());
    await cli('apps', 'disable', 'dis');
    expect(await anon.waitClosed(WITHIN_MS)).toBe(CloseCode.AppDisabled);
    expect(await user.waitClosed(WITHIN_MS)).toBe(CloseCode.AppDisabled);
    expect((await beacon.api('GET', '/v1/topics', undefined, secret)).body.code).toBe('app_disabled');
    expect(await (await TestClient.open(beacon.wsUrl('dis'))).waitClosed()).toBe(CloseCode.AppDisabled);
    // other apps are untouched
    expect(bystander.closeCode).toBeNull();
    await bystander.sync();

    await cli('apps', 'enable', 'dis');
    await waitUntil(
      async () => (await beacon.api('GET', '/v1/topics', undefined, secret)).status === 200,
      WITHIN_MS,
    );
    (await TestClient.connect(beacon.wsUrl('dis'))).close();
    bystander.close();
  });

  it('apps delete closes the app’s clients with 4003', async () => {
    const { secret } = await makeApp('del', { allowAnonymous: true });
    const c = await TestClient.connect(beacon.wsUrl('del'));
    await cli('apps', 'delete', 'del');
    expect(await c.waitClosed(WITHIN_MS)).toBe(CloseCode.AppDisabled);
    expect((await beacon.api('GET', '/v1/topics', undefined, secret)).status).toBe(401);
    expect(await (await TestClient.open(beacon.wsUrl('del'))).waitClosed()).toBe(CloseCode.UnknownApp);
  });

  it('apps rotate: the old push secret stops working at once, not after a cache TTL', async () => {
    const { secret } = await makeApp('rot');
    const out = await cli('apps', 'rotate', 'rot');
    const fresh = /push secret for rot: (\S+)/.exec(out)?.[1];
    expect(fresh).toBeDefined();
    await waitUntil(
      async () => (await beacon.api('GET', '/v1/topics', undefined, secret)).status === 401,
      WITHIN_MS,
    );
    expect((await beacon.api('GET', '/v1/topics', undefined, fresh)).status).toBe(200);
  });

  it('keys rotate closes connections whose token the old key verified (4001), and refuses the old key', async () => {
    const { tokenKey } = await makeApp('rek', { allowAnonymous: true });
    const old = await TestClient.connect(beacon.wsUrl('rek', await signToken(tokenKey.secret, { sub: 'o' })));
    const anon = await TestClient.connect(beacon.wsUrl('rek'));
    const out = await cli('keys', 'rotate', 'rek');
    const fresh = /\): (\S+)$/m.exec(out)?.[1];
    expect(fresh).toBeDefined();
    expect(await old.waitClosed(WITHIN_MS)).toBe(CloseCode.Unauthorized);
    expect(old.closeReason).toMatch(/revoked/);
    expect(
      await (
        await TestClient.open(beacon.wsUrl('rek', await signToken(tokenKey.secret, { sub: 'o' })))
      ).waitClosed(),
    ).toBe(CloseCode.Unauthorized);
    (await TestClient.connect(beacon.wsUrl('rek', await signToken(fresh!, { sub: 'n' })))).close();
    // anonymous clients did not use a key: still connected
    await anon.sync();
    expect(anon.closeCode).toBeNull();

    // apps update --no-anonymous closes the anonymous ones
    await cli('apps', 'update', 'rek', '--no-anonymous');
    expect(await anon.waitClosed(WITHIN_MS)).toBe(CloseCode.Unauthorized);
  });
});
