#!/usr/bin/env node
// @ts-check
/**
 * A measurement, not a test: how busy the overview keeps the browser's main thread while it streams one
 * snapshot a second. Opens the overview in headless Chromium for `--seconds` (default 60) and reports the
 * main thread's busy share (CDP TaskDuration over wall time), long tasks (> 50 ms, PerformanceObserver) and
 * the stream's bytes per second as the page received them.
 *
 *   npm run build:dashboard && node test/browser/measure-overview.mjs [--url http://127.0.0.1:8080]
 *     [--email admin@localhost --password ...] [--seconds 60] [--scale 1]
 *
 * Without --url it starts the dev fixture (apps/dashboard/dev), --scale multiplying its ~22,000 connections.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    email: { type: 'string', default: 'admin@localhost' },
    password: { type: 'string', default: 'beacon-admin-pass' },
    seconds: { type: 'string', default: '60' },
    scale: { type: 'string', default: '1' },
  },
});
const seconds = Math.min(600, Math.max(5, Number(values.seconds)));

let fixture = null;
let base = values.url;
if (base === undefined) {
  const script = fileURLToPath(new URL('../../apps/dashboard/dev/fixture-server.mjs', import.meta.url));
  fixture = spawn(process.execPath, [script, '--port', '0', '--scale', values.scale], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('fixture did not start')), 60_000);
    fixture?.stdout?.on('data', (c) => {
      out += c;
      const m = /on (http:\/\/[^\s/]+)\/dashboard\//.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
  });
}

const profile = mkdtempSync(join(tmpdir(), 'beacon-measure-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env['BEACON_CHROMIUM'] ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1440, height: 900 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  let streamBytes = 0;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Performance.enable');
  cdp.on('Network.dataReceived', (e) => {
    streamBytes += e.encodedDataLength || e.dataLength;
  });
  await page.goto(`${base}/dashboard/`);
  await page.getByLabel('Email').fill(String(values.email));
  await page.getByLabel('Password').fill(String(values.password));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Nodes' }).waitFor({ timeout: 30_000 });
  await page.evaluate(
    `window.__long = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });`,
  );
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };
  const busy0 = await metric();
  streamBytes = 0;
  const t0 = Date.now();
  await page.waitForTimeout(seconds * 1000);
  const wall = (Date.now() - t0) / 1000;
  const busy = (await metric()) - busy0;
  const long = /** @type {number[]} */ (await page.evaluate('window.__long'));
  const connections = await page
    .getByRole('group', { name: 'Connections' })
    .locator('.stat-value')
    .textContent();
  console.log(
    JSON.stringify(
      {
        target: fixture === null ? base : `dev fixture (scale ${values.scale})`,
        seconds: Math.round(wall),
        connectionsShown: connections,
        mainThreadBusyPercent: +((100 * busy) / wall).toFixed(2),
        longTasks: long.length,
        longestTaskMs: long.length === 0 ? 0 : Math.round(Math.max(...long)),
        receivedBytesPerSec: Math.round(streamBytes / wall),
      },
      null,
      2,
    ),
  );
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  fixture?.kill('SIGTERM');
}
