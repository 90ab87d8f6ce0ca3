import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './support/browser.js';
import { BeaconProcess, MAIN_JS } from '../support/process.js';
import { freePort } from '../support/ports.js';

// @beacon/client in Chromium, as an app loads it: the ES modules of libs/client/dist, the browser's own
// WebSocket, a real Beacon process (built: `npm run build`) that restarts under it.
const DIST = fileURLToPath(new URL('../../libs/client/dist/', import.meta.url));
const SECRET = 'dS7_kq2VbN4xYp9LmT3wRz8HjF6cAe1GuQ0oIiKsXvB';
const dataDir = mkdtempSync(join(tmpdir(), 'beacon-browser-client-'));
let port = 0;
let beacon: BeaconProcess;
let pages: Server;
let browser: Awaited<ReturnType<typeof launch>>;

const env = () => ({
  BEACON_PORT: String(port),
  BEACON_DATA_DIR: dataDir,
  BEACON_DEV_APP_KEY: 'devapp',
  BEACON_DEV_APP_SECRET: SECRET,
  BEACON_LOG_LEVEL: 'error',
  BEACON_DRAIN_MS: '2000',
});

const page = (wsPort: number) => `<!doctype html><meta charset="utf-8"><title>sdk</title>
<script type="module">
  import { Beacon } from '/client/index.js';
  window.log = [];
  const beacon = new Beacon({ url: 'ws://127.0.0.1:${wsPort}/ws', app: 'devapp', reconnect: { maxDelayMs: 2000 } });
  beacon.on('state', (s) => log.push('state ' + s));
  beacon.subscribe('b.news', {
    message: (m) => log.push('message ' + JSON.stringify(m.data)),
    subscribed: (i) => log.push('subscribed ' + i.resubscribed),
  });
  window.beacon = beacon;
</script>`;

beforeAll(async () => {
  for (const f of [MAIN_JS, join(DIST, 'index.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  }
  port = await freePort();
  beacon = await BeaconProcess.start(env());
  pages = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/client/') && /^[\w./-]+\.js$/.test(url.slice(8)) && !url.includes('..')) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(join(DIST, url.slice(8))));
    } else if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(port));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await beacon?.stop();
  await new Promise((r) => pages?.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

const publish = (data: unknown) =>
  fetch(`http://127.0.0.1:${port}/v1/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'b.news', data }),
  });

describe('@beacon/client in Chromium', () => {
  it('connects with the browser WebSocket, subscribes, receives, publishes, and comes back after a server restart', async () => {
    const p = browser.page;
    const log = () => p.evaluate(() => (globalThis as unknown as { log: string[] }).log);
    await p.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/`);
    await expect.poll(log, { timeout: 10_000 }).toContain('subscribed false');
    expect((await publish({ n: 1 })).status).toBe(200);
    await expect.poll(log).toContain('message {"n":1}');
    const msgId = await p.evaluate(() =>
      (
        globalThis as unknown as { beacon: { publish(t: string, d: unknown): Promise<{ msgId: string }> } }
      ).beacon
        .publish('b.news', { from: 'page' })
        .then((a) => a.msgId),
    );
    expect(msgId).toEqual(expect.any(String));
    await expect.poll(log).toContain('message {"from":"page"}');

    expect(await beacon.stop()).toBe(0); // drains: a drain frame, then 1012
    await expect.poll(log).toContain('state connecting');
    beacon = await BeaconProcess.start(env());
    await expect.poll(log, { timeout: 15_000 }).toContain('subscribed true');
    expect((await publish({ n: 2 })).status).toBe(200);
    await expect.poll(log).toContain('message {"n":2}');
    expect(browser.errors).toEqual([]);
  });
});
