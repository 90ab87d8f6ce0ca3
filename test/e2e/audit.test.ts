import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push } from '@beacon/contracts';
import { DEV_KEY, DEV_SECRET, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { freePort } from '../support/ports.js';
import { waitUntil } from '../support/wait.js';

const CLI_JS = fileURLToPath(new URL('../../apps/beacon/dist/cli.js', import.meta.url));
const run = promisify(execFile);

let beacon: TestBeacon;
let client: push.PushServiceClient;
beforeAll(async () => {
  const grpcPort = await freePort();
  beacon = await startTestBeacon({ BEACON_GRPC_PORT: String(grpcPort) });
  client = new push.PushServiceClient(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await beacon?.stop();
});

type Rows = Awaited<ReturnType<TestBeacon['persistence']['audit']['query']>>;

/** Audit rows matching `pick`, after writing out everything recorded so far (aggregation windows included). */
async function flushed(
  q: Parameters<TestBeacon['persistence']['audit']['query']>[0],
  pick = (_r: Rows[number]) => true,
): Promise<Rows> {
  await beacon.persistence.audit.flush();
  return (await beacon.persistence.audit.query({ limit: 1000, ...q })).filter(pick);
}

const sum = (rows: Rows): number => rows.reduce((n, r) => n + (r.count ?? NaN), 0);

/** A raw REST call: exact body text and content type, the dev secret unless told otherwise. */
async function raw(
  path: string,
  body: string,
  contentType = 'application/json',
  secret = DEV_SECRET,
): Promise<number> {
  const res = await fetch(`${beacon.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': contentType },
    body,
  });
  await res.text();
  return res.status;
}

describe('audit log', () => {
  it('records a REST publish with actor, app, action, target, result and address', async () => {
    const res = await beacon.api('POST', '/v1/publish', { topics: ['audit.a', 'audit.b'], data: 1 });
    expect(res.status).toBe(200);
    const dev = await beacon.persistence.apps.findByKey(DEV_KEY);
    const rows = await flushed({ action: 'publish' }, (r) => r.result === '200');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: `app:${DEV_KEY}`,
      appId: dev?.id,
      action: 'publish',
      target: 'audit.a,audit.b',
      result: '200',
      count: 1,
      remoteAddr: expect.stringMatching(/127\.0\.0\.1/),
    });
  });

  it('records refused calls too, without an app', async () => {
    await beacon.api('POST', '/v1/publish', { topic: 'x', data: 1 }, 'wrong-secret');
    await waitUntil(
      async () => (await beacon.persistence.audit.query({ actor: 'unauthenticated' })).length === 1,
    );
    const [row] = await beacon.persistence.audit.query({ actor: 'unauthenticated' });
    expect(row).toMatchObject({ action: 'publish', result: '401 invalid_key', appId: null, count: 1 });
  });

  it('aggregates successful data-plane calls: one row per app, action and source with a count', async () => {
    for (let i = 0; i < 30; i++) {
      expect((await beacon.api('POST', '/v1/broadcast', { data: i })).status).toBe(200);
    }
    const rows = await flushed({ action: 'broadcast' });
    // One row per aggregation window (a window boundary during the loop may split it in two).
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(sum(rows)).toBe(30);
    expect(rows[0]).toMatchObject({ actor: `app:${DEV_KEY}`, result: '200', target: '*' });
  });

  it('writes the first refusal from a source at once and counts the repeats in one row', async () => {
    const refused = (r: Rows[number]) => r.result === '401 invalid_key';
    expect((await beacon.api('GET', '/v1/topics', undefined, 'flood-secret')).status).toBe(401);
    // The first one is written without waiting for its window to end.
    await waitUntil(
      async () =>
        (await beacon.persistence.audit.query({ action: 'topics.list' })).filter(refused).length === 1,
    );
    for (let i = 0; i < 49; i++) await beacon.api('GET', '/v1/topics', undefined, `flood-${i}`);
    const rows = await flushed({ action: 'topics.list' }, refused);
    expect(sum(rows)).toBe(50);
    expect(rows.length).toBeLessThanOrEqual(4); // 2 per window: the first refusal, then the count of repeats
    expect(rows.every((r) => r.actor === 'unauthenticated' && r.appId === null)).toBe(true);
  });

  it('audits malformed, oversize and wrong-charset bodies, which the body parser refuses', async () => {
    expect(await raw('/v1/publish', '{"topic":')).toBe(400);
    expect(await raw('/v1/publish', JSON.stringify({ topic: 'a', data: 'x'.repeat(200_000) }))).toBe(413);
    expect(await raw('/v1/publish', '{"topic":"a","data":1}', 'application/json; charset=utf-16')).toBe(415);
    const results = (await flushed({ action: 'publish', actor: `app:${DEV_KEY}` })).map((r) => r.result);
    expect(results).toEqual(
      expect.arrayContaining(['400 invalid_request', '413 payload_too_large', '415 unsupported_media_type']),
    );
  });

  it('bounds every stored field, whatever a REST or gRPC caller sends', async () => {
    const huge = 'u'.repeat(1_000_000);
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${DEV_SECRET}`);
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) =>
        client.sendToUser({ userId: huge, dataJson: '1' }, md, { deadline: Date.now() + 10_000 }, () =>
          resolve(),
        ),
      );
    }
    await beacon.api('GET', `/v1/users/${'v'.repeat(8000)}`);
    const rows = await flushed({}, (r) => r.action === 'user.send' || r.action === 'user.presence');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      for (const v of [r.actor, r.action, r.target, r.result, r.remoteAddr]) {
        expect((v ?? '').length).toBeLessThanOrEqual(512);
      }
    }
    expect(rows.some((r) => r.target?.startsWith('user:uuu'))).toBe(true);
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
