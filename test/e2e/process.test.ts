import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { BeaconProcess, MAIN_JS } from '../support/process.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

const dataDir = mkdtempSync(join(tmpdir(), 'beacon-proc-'));
const scratch: string[] = [];
afterAll(() => {
  for (const d of [dataDir, ...scratch]) rmSync(d, { recursive: true, force: true });
});
const freshDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'beacon-proc-'));
  scratch.push(d);
  return d;
};
const CLI_JS = fileURLToPath(new URL('../../apps/beacon/dist/cli.js', import.meta.url));
const cli = (dir: string, ...args: string[]) =>
  promisify(execFile)(process.execPath, [CLI_JS, ...args], { env: { ...process.env, BEACON_DATA_DIR: dir } });

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(2_000, () => s.destroy());
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

describe('the built platform as a process (what `npm start` runs)', () => {
  it('first run: migrates a fresh data dir, prints the dev app once, serves health, REST and WebSocket', async () => {
    expect(existsSync(MAIN_JS), 'run `npm run build` first (npm test does)').toBe(true);
    const p = await BeaconProcess.start({ BEACON_DATA_DIR: dataDir });
    try {
      const key = /app key:\s+(\S+)/.exec(p.stdout)?.[1];
      const secret = /push secret:\s+(\S+)/.exec(p.stdout)?.[1];
      const tokenKey = /token key:\s+(\S+)/.exec(p.stdout)?.[1];
      expect(key).toBe('dev');
      expect(secret).toMatch(/^\S{43}$/);
      expect(tokenKey).toMatch(/^\S{43}$/);
      expect(tokenKey).not.toBe(secret);
      expect(existsSync(join(dataDir, 'beacon.db'))).toBe(true);
      // issue 6 item 13: the database holds secret hashes and encrypted keys: owner-only from creation
      expect(statSync(join(dataDir, 'beacon.db')).mode & 0o777).toBe(0o600);
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
      // SIGTERM: clients are told to reconnect elsewhere (a drain frame with a delay hint, close 1012),
      // the process exits 0
      const c2 = await TestClient.connect(`${url.replace('http', 'ws')}/ws?app=${key}`);
      expect(await p.stop()).toBe(0);
      expect(await c2.waitClosed()).toBe(1012);
      expect(c2.frames.find((f) => f.type === 'drain')).toMatchObject({
        reconnectAfterMs: expect.any(Number),
      });
    } finally {
      await p.stop('SIGKILL');
    }
  });

  it('second run on the same data dir: keeps the app, prints no secret', async () => {
    const p = await BeaconProcess.start({ BEACON_DATA_DIR: dataDir });
    try {
      expect(p.stdout).not.toMatch(/secret|token key/);
      expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
    } finally {
      await p.stop();
    }
  });

  it('never recreates the open development app after its first run (issue 6 item 3)', async () => {
    // Before: with no app left, every start created a fresh app open to anonymous clients.
    const dir = freshDir();
    await (await BeaconProcess.start({ BEACON_DATA_DIR: dir })).stop();
    await cli(dir, 'apps', 'delete', 'dev');
    const p = await BeaconProcess.start({ BEACON_DATA_DIR: dir });
    try {
      expect(p.stdout).not.toMatch(/development app/);
      const anon = await TestClient.open(`${p.url!.replace('http', 'ws')}/ws?app=dev`);
      expect(await anon.waitClosed()).toBe(CloseCode.UnknownApp);
    } finally {
      await p.stop();
    }
    expect((await cli(dir, 'apps', 'list')).stdout).toMatch(/No apps yet/);
  });

  it('binds loopback by default and never echoes a supplied dev secret (issue 6 items 3, 13)', async () => {
    const secret = 'Zq8-Hv3mT1xKc7Rw0bNf5yLp2sJd9gAe4uWo6iQzXkE';
    const p = await BeaconProcess.start({
      BEACON_DATA_DIR: freshDir(),
      BEACON_HOST: undefined,
      BEACON_DEV_APP_SECRET: secret,
    });
    try {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(p.stdout).toContain('development app');
      expect(p.stdout).not.toContain(secret);
      expect(p.stdout).toMatch(/push secret:\s+\(as given/);
      const port = Number(new URL(p.url!).port);
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
      // (a machine without a non-loopback IPv4 address has nothing more to check)
      if (external !== undefined) expect(await accepts(external.address, port)).toBe(false);
      expect(await accepts('127.0.0.1', port)).toBe(true);
    } finally {
      await p.stop();
    }
  });

  it('bound to the network, the first-run app requires tokens (issue 6 item 3)', async () => {
    const p = await BeaconProcess.start({ BEACON_DATA_DIR: freshDir(), BEACON_HOST: '0.0.0.0' });
    try {
      expect(p.stdout).toMatch(/bound to the network, so the app requires tokens/);
      const anon = await TestClient.open(`${p.url!.replace('http', 'ws')}/ws?app=dev`);
      expect(await anon.waitClosed()).toBe(CloseCode.Unauthorized);
    } finally {
      await p.stop();
    }
  });

  it('drains on SIGTERM: readiness 503 at once, new clients refused, exits 0 within BEACON_DRAIN_MS (issue 8)', async () => {
    const p = await BeaconProcess.start({
      BEACON_DATA_DIR: freshDir(),
      BEACON_DRAIN_MS: '3000',
      BEACON_CLOSE_GRACE_MS: '20000',
    });
    const url = p.url!;
    const { port } = new URL(url);
    // a client that upgrades and then never reads again: it will not answer the close, so the drain waits
    const stubborn = connect({ host: '127.0.0.1', port: Number(port) });
    stubborn.write(
      `GET /ws?app=dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await waitUntil(async () =>
      (await (await fetch(`${url}/metrics`)).text()).includes('beacon_connections 1'),
    );
    stubborn.pause();
    const exited = p.stop();
    await waitUntil(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 503);
    const late = await TestClient.open(`${url.replace('http', 'ws')}/ws?app=dev`);
    expect(await late.waitClosed()).toBe(1012);
    expect(await exited).toBe(0);
    stubborn.destroy();
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
