#!/usr/bin/env node
/**
 * `npm run bench:dashboard`: what the operators' dashboard costs the server with the platform busy.
 * 18,000 WebSocket clients on 5,000 topics (two client processes: the open-files limit is per process),
 * messages published at a fixed rate to random topics, then
 *   phase 1: no dashboard open for --duration s — CPU the server spends on stats (the 1 s sampler);
 *   phase 2: one dashboard's stream open for --duration s — its bytes per second, and the stats CPU;
 *   phase 3 (unless --browser off): the real dashboard signed in through the admin API, its overview open
 *     in headless Chromium for --browser-seconds (default 60) — the page's main-thread busy share, long
 *     tasks and received bytes per second (test/browser/measure-overview.mjs), and the server's CPU.
 * Phase 2's stream is the LiveStats stream serialized as the admin API's SSE sends it
 * (test/bench/dashboard/server.js), so the stats CPU can be measured around it.
 *
 *   npm run bench:dashboard -- [--clients 18000] [--topics 5000] [--rate 200] [--duration 30]
 *     [--browser on|off] [--browser-seconds 60]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: o } = parseArgs({
  options: {
    clients: { type: 'string', default: '18000' },
    topics: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    browser: { type: 'string', default: 'on' },
    'browser-seconds': { type: 'string', default: '60' },
  },
});
const chromium = process.env['BEACON_CHROMIUM'] ?? '/usr/bin/chromium';
const withBrowser = o.browser !== 'off';
if (withBrowser && !fs.existsSync(chromium)) {
  console.error(`[dashboard] ${chromium} not found: install Debian's chromium, or pass --browser off`);
  process.exit(2);
}
const browserSeconds = Math.min(600, Math.max(5, Number(o['browser-seconds'])));
const adminPassword = randomBytes(18).toString('base64url');
const clients = Number(o.clients);
const topics = Number(o.topics);
const rate = Number(o.rate);
const duration = Number(o.duration) * 1000;
const children = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

/** Spawns a node script and resolves with it once `pattern` shows on its stdout. */
function start(script, args, env, pattern, timeoutMs = 180_000) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script}: no ${pattern} in ${timeoutMs} ms\n${out}`)),
      timeoutMs,
    );
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, match: m, out: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited (${code})\n${out}`)));
  });
}

const get = (url) =>
  new Promise((resolve, reject) =>
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject),
  );

/** CPU seconds of a process so far (utime + stime from /proc). */
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const secret = randomBytes(32).toString('hex');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-dash-bench-'));
process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
const server = await start(
  path.join(here, 'server.js'),
  [],
  {
    BEACON_PORT: '0',
    BEACON_GRPC_PORT: 'off',
    BEACON_HOST: '127.0.0.1',
    BEACON_DATA_DIR: dataDir,
    BEACON_DEV_APP_KEY: 'bench',
    BEACON_DEV_APP_SECRET: secret,
    BEACON_LOG_LEVEL: 'warn',
    BEACON_ADMIN_PASSWORD: adminPassword,
  },
  /listening on (http:\/\/[\d.:]+)[\s\S]*bench-port (\d+)/,
);
const base = server.match[1];
const benchUrl = `http://127.0.0.1:${server.match[2]}`;
console.error(`[dashboard] server ${base} (pid ${server.child.pid})`);

const t0 = Date.now();
const half = Math.ceil(clients / 2);
const groups = await Promise.all(
  [0, 1].map((g) =>
    start(
      path.join(here, 'clients.js'),
      [
        `${base.replace('http', 'ws')}/ws?app=bench`,
        String(g === 0 ? half : clients - half),
        String(topics),
        String(g * half),
      ],
      {},
      /ready (\d+)/,
    ),
  ),
);
const ready = groups.reduce((n, g) => n + Number(g.match[1]), 0);
console.error(
  `[dashboard] ${ready} clients subscribed on ${topics} topics in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

// Publisher: `rate` messages a second to random topics, keep-alive.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let published = 0;
const publishOne = () => {
  const body = JSON.stringify({
    topic: `t${Math.floor(Math.random() * topics)}`,
    data: { n: published, pad: 'x'.repeat(64) },
  });
  const req = http.request(`${base}/v1/publish`, {
    method: 'POST',
    agent,
    headers: {
      authorization: `Bearer ${secret}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    },
  });
  req.on('response', (res) => {
    res.resume();
    if (res.statusCode === 200) published++;
  });
  req.on('error', () => undefined);
  req.end(body);
};
const pubTimer = setInterval(() => {
  for (let i = 0; i < rate / 20; i++) publishOne();
}, 50);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await sleep(3_000); // warm-up

async function phase(viewer) {
  let bytes = 0;
  let events = 0;
  let req;
  if (viewer) {
    await new Promise((resolve) => {
      req = http.get(`${benchUrl}/stats/stream`, (res) => {
        res.on('data', (d) => {
          bytes += d.length;
          events +=
            (d.toString().match(/\nevent: snapshot/g) ?? []).length +
            (d.toString().startsWith('event: snapshot') ? 1 : 0);
        });
        resolve();
      });
    });
    await sleep(1_500); // the history event and the first snapshot are not the steady rate
  }
  const a = await get(`${benchUrl}/stats-cpu`);
  const cpuA = cpuSeconds(server.child.pid);
  const bytesA = bytes;
  const eventsA = events;
  const pubA = published;
  await sleep(duration);
  const b = await get(`${benchUrl}/stats-cpu`);
  const cpuB = cpuSeconds(server.child.pid);
  const wall = (b.uptimeMs - a.uptimeMs) / 1000;
  req?.destroy();
  return {
    viewer,
    wallS: wall,
    statsCpuPct: ((b.statsCpuUs - a.statsCpuUs + b.sseCpuUs - a.sseCpuUs) / 1e6 / wall) * 100,
    serverCpuPct: ((cpuB - cpuA) / wall) * 100,
    streamBytesPerSec: viewer ? (bytes - bytesA) / wall : 0,
    snapshotsPerSec: viewer ? (events - eventsA) / wall : 0,
    publishesPerSec: (published - pubA) / wall,
  };
}

/** Phase 3: the real overview page in Chromium, through the admin API's own stream. */
async function browserPhase() {
  const script = path.join(here, '..', '..', 'browser', 'measure-overview.mjs');
  const cpuA = cpuSeconds(server.child.pid);
  const pubA = published;
  const t = Date.now();
  const child = spawn(
    process.execPath,
    [script, '--url', base, '--password', adminPassword, '--seconds', String(browserSeconds)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BEACON_CHROMIUM: chromium } },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const wall = (Date.now() - t) / 1000;
  if (code !== 0) throw new Error(`measure-overview.mjs exited ${code}\n${out}`);
  return {
    ...JSON.parse(out),
    // Sign-in and page load included: the whole time the page was open.
    serverCpuPct: ((cpuSeconds(server.child.pid) - cpuA) / wall) * 100,
    publishesPerSec: (published - pubA) / wall,
  };
}

const without = await phase(false);
const withViewer = await phase(true);
const page = withBrowser ? await browserPhase() : null;
clearInterval(pubTimer);
for (const g of groups) g.child.kill('SIGUSR2');
await sleep(500);

const pct = (x) => `${x.toFixed(2)}%`;
console.log(`Dashboard bench — ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}`);
console.log(
  `command: npm run bench:dashboard -- --clients ${clients} --topics ${topics} --rate ${rate} --duration ${duration / 1000}`,
);
console.log(`${ready} clients on ${topics} topics, ${rate} publishes/s offered`);
console.log('');
console.log('phase         publishes/s  server CPU  stats CPU  stream bytes/s  snapshots/s');
for (const r of [without, withViewer]) {
  console.log(
    `${(r.viewer ? 'one viewer' : 'no viewer').padEnd(12)}  ${r.publishesPerSec.toFixed(0).padStart(11)}  ${pct(r.serverCpuPct).padStart(10)}  ${pct(r.statsCpuPct).padStart(9)}  ${r.streamBytesPerSec.toFixed(0).padStart(14)}  ${r.snapshotsPerSec.toFixed(2).padStart(11)}`,
  );
}
console.log('');
console.log(
  'stats CPU: process CPU time inside the 1 s sampler tick (sample + aggregate + ring) and, with a viewer, the',
);
console.log(
  'snapshot serialization and write, as a share of one core. Targets: stream <= 20 KB/s, stats CPU <= 2%.',
);
if (page !== null) {
  console.log('');
  console.log(
    `dashboard overview in headless Chromium, ${page.seconds} s (connections tile: ${page.connectionsShown})`,
  );
  console.log('main-thread busy  long tasks  longest task  received bytes/s  server CPU  publishes/s');
  console.log(
    `${pct(page.mainThreadBusyPercent).padStart(16)}  ${String(page.longTasks).padStart(10)}  ${`${page.longestTaskMs} ms`.padStart(12)}  ${String(page.receivedBytesPerSec).padStart(16)}  ${pct(page.serverCpuPct).padStart(10)}  ${page.publishesPerSec.toFixed(0).padStart(11)}`,
  );
  console.log(
    'busy: CDP TaskDuration over wall time; long tasks: PerformanceObserver (> 50 ms). Targets: busy <= 10%, no task over 100 ms.',
  );
}
cleanup();
process.exit(0);
