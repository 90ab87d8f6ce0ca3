import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BeaconProcess, MAIN_JS } from '../support/process.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

const dataDir = mkdtempSync(join(tmpdir(), 'beacon-proc-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the built platform as a process (what `npm start` runs)', () => {
  it('first run: migrates a fresh data dir, prints the dev app once, serves health, REST and WebSocket', async () => {
    expect(existsSync(MAIN_JS), 'run `npm run build` first (npm test does)').toBe(true);
    const p = await BeaconProcess.start({ BEACON_DATA_DIR: dataDir });
    try {
      const key = /app key:\s+(\S+)/.exec(p.stdout)?.[1];
      const secret = /app secret:\s+(\S+)/.exec(p.stdout)?.[1];
      expect(key).toBe('dev');
      expect(secret).toMatch(/^\S{32,}$/);
      expect(existsSync(join(dataDir, 'beacon.db'))).toBe(true);
      const url = p.url as string;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok' } });

      const c = await TestClient.connect(`${url.replace('http', 'ws')}/ws?app=${key}`);
      await c.subscribe('smoke');
      const res = await fetch(`${url}/v1/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'smoke', data: { ok: true } }),
      });
      expect(res.status).toBe(200);
      await waitUntil(() => c.messages('smoke').length === 1);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^beacon_deliveries_total 1$/m);
      const openapi = (await (await fetch(`${url}/v1/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(openapi.paths)).toContain('/v1/publish');
      c.close();
      // SIGTERM: clients get 1001, the process exits 0
      const c2 = await TestClient.connect(`${url.replace('http', 'ws')}/ws?app=${key}`);
      expect(await p.stop()).toBe(0);
      expect(await c2.waitClosed()).toBe(1001);
    } finally {
      await p.stop('SIGKILL');
    }
  });

  it('second run on the same data dir: keeps the app, prints no secret', async () => {
    const p = await BeaconProcess.start({ BEACON_DATA_DIR: dataDir });
    try {
      expect(p.stdout).not.toMatch(/app secret/);
      expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
    } finally {
      await p.stop();
    }
  });

  it('reports every bad setting at once and exits 1', async () => {
    const p = await BeaconProcess.start({
      BEACON_DATA_DIR: dataDir,
      BEACON_PORT: 'eighty',
      BEACON_MAX_FRAME_BYTES: '-1',
    }).catch((err: Error) => err);
    expect(p).toBeInstanceOf(Error);
    expect(String(p)).toMatch(/BEACON_PORT/);
    expect(String(p)).toMatch(/BEACON_MAX_FRAME_BYTES/);
    expect(String(p)).toMatch(/exited 1/);
  });
});
