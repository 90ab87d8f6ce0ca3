#!/usr/bin/env node
/**
 * Reconnect storm: N @beacon/client clients (Node, `ws`) connected to one Beacon process, each subscribed
 * to a topic; the server restarts (SIGTERM: connections are closed 1001, then the same port and data
 * directory come back). Reports how long until every client is connected and subscribed again, and the
 * peak rate of new connections the server took, with the SDK's full jitter on and off. 127.0.0.1 only;
 * every phase is bounded in time. Needs `npm run build` (it runs apps/beacon/dist and libs/client/dist).
 *
 *   npm run bench:reconnect -- [--clients 10000] [--jitter both|on|off] [--stop term|kill]
 *                              [--down-ms 1000] [--min-delay 500] [--max-delay 30000] [--timeout 120] [--json]
 *
 * --stop term (default): SIGTERM, the server closes every connection with 1001 (spread over its shutdown);
 * --stop kill: SIGKILL, every connection is lost at the same instant (the harder storm).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { Beacon } from '../../libs/client/dist/index.js';
import { BEACON_MAIN, freePort } from './lib/servers.js';
import { machine } from './lib/report.js';

const { values: opt } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    jitter: { type: 'string', default: 'both' },
    stop: { type: 'string', default: 'term' },
    'down-ms': { type: 'string', default: '1000' },
    'min-delay': { type: 'string', default: '500' },
    'max-delay': { type: 'string', default: '30000' },
    timeout: { type: 'string', default: '120' },
    json: { type: 'boolean', default: false },
  },
});
const N = Math.min(Number(opt.clients), 15_000); // the open-files limit is 20,000 per process
const TIMEOUT_MS = Number(opt.timeout) * 1000;
const log = (/** @type {string} */ s) => process.stderr.write(`[storm] ${s}\n`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @type {import('node:child_process').ChildProcess | undefined} */
let child;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-storm-'));
function cleanup() {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(sig, () => process.exit(130));
}

/** @param {number} port */
function ready(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Starts Beacon on `port`; resolves when /readyz answers 200. */
async function startServer(/** @type {number} */ port) {
  child = spawn(process.execPath, [BEACON_MAIN], {
    env: {
      ...process.env,
      BEACON_PORT: String(port),
      BEACON_HOST: '127.0.0.1',
      BEACON_GRPC_PORT: 'off',
      BEACON_DATA_DIR: dataDir,
      BEACON_DEV_APP_KEY: 'storm',
      BEACON_DEV_APP_SECRET: randomBytes(32).toString('base64url'),
      BEACON_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (!(await ready(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('beacon did not become ready');
    await sleep(20);
  }
}

async function stopServer() {
  const c = child;
  if (!c || c.exitCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(opt.stop === 'kill' ? 'SIGKILL' : 'SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => c.kill('SIGKILL'))]);
}

/** Waits until `cond()` or the timeout; returns whether it held. */
async function until(/** @type {() => boolean} */ cond, /** @type {number} */ ms) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Peak of events per second: the most events in any 1 s window, and in any 100 ms window (×10). */
function peakRate(/** @type {number[]} */ times) {
  const t = [...times].sort((a, b) => a - b);
  let best1s = 0;
  let best100 = 0;
  for (let i = 0, j = 0, k = 0; i < t.length; i++) {
    while ((t[i] ?? 0) - (t[j] ?? 0) >= 1000) j++;
    while ((t[i] ?? 0) - (t[k] ?? 0) >= 100) k++;
    best1s = Math.max(best1s, i - j + 1);
    best100 = Math.max(best100, i - k + 1);
  }
  return { perSecond1s: best1s, perSecond100ms: best100 * 10 };
}

/** Every connection attempt the SDK makes, timed: a `ws` whose constructor notes the time. */
const attempts = /** @type {number[]} */ ([]);
class CountingWebSocket extends WebSocket {
  constructor(/** @type {string} */ url) {
    super(url);
    attempts.push(Date.now());
  }
}

const pct = (/** @type {number[]} */ xs, /** @type {number} */ p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function run(/** @type {boolean} */ jitter, /** @type {number} */ port) {
  await startServer(port);
  const reconnect = {
    jitter,
    minDelayMs: Number(opt['min-delay']),
    maxDelayMs: Number(opt['max-delay']),
  };
  let restartAt = Infinity;
  /** @type {{ beacon: any, connectedAt: number[], subscribedAt: number, resubscribedAt: number }[]} */
  const clients = [];
  const t0 = Date.now();
  for (let i = 0; i < N; i += 500) {
    for (let k = i; k < Math.min(N, i + 500); k++) {
      const beacon = new Beacon({
        url: `ws://127.0.0.1:${port}/ws`,
        app: 'storm',
        WebSocket: CountingWebSocket,
        reconnect,
      });
      const c = { beacon, connectedAt: /** @type {number[]} */ ([]), subscribedAt: 0, resubscribedAt: 0 };
      beacon.on('connected', () => c.connectedAt.push(Date.now()));
      beacon.subscribe(`storm.${k % 100}`, {
        subscribed: () => {
          const now = Date.now();
          if (c.subscribedAt === 0) c.subscribedAt = now;
          if (now > restartAt && c.resubscribedAt === 0) c.resubscribedAt = now;
        },
      });
      clients.push(c);
    }
    if (!(await until(() => clients.every((c) => c.subscribedAt > 0), TIMEOUT_MS))) {
      throw new Error('clients did not all connect and subscribe');
    }
  }
  log(`${N} clients connected and subscribed in ${Date.now() - t0} ms (jitter ${jitter ? 'on' : 'off'})`);

  attempts.length = 0;
  restartAt = Date.now();
  await stopServer();
  const downAt = Date.now();
  await sleep(Number(opt['down-ms']));
  await startServer(port);
  const upAt = Date.now();
  log(
    `server stopped in ${downAt - restartAt} ms, back (ready) ${upAt - restartAt} ms after the restart began`,
  );

  const allBack = await until(
    () => clients.every((c) => c.connectedAt.length > 1 && c.resubscribedAt > 0),
    TIMEOUT_MS,
  );
  if (!allBack) {
    /** @type {Record<string, number>} */
    const states = {};
    for (const c of clients) {
      const k = `${c.beacon.state}/${c.connectedAt.length} connects/${c.resubscribedAt > 0 ? '' : 'not '}resubscribed`;
      states[k] = (states[k] ?? 0) + 1;
    }
    log(`not all back within ${opt.timeout} s: ${JSON.stringify(states)}`);
  }
  const backAt = clients.map((c) => c.connectedAt[1] ?? NaN).filter(Number.isFinite);
  const resubAt = clients.map((c) => c.resubscribedAt).filter((t) => t > 0);
  const result = {
    jitter,
    clients: N,
    allBack,
    back: backAt.length,
    serverDownMs: upAt - restartAt,
    allConnectedAfterReadyMs: Math.max(...backAt) - upAt,
    allResubscribedAfterReadyMs: Math.max(...resubAt) - upAt,
    allResubscribedAfterRestartMs: Math.max(...resubAt) - restartAt,
    medianConnectedAfterReadyMs: pct(backAt, 50) - upAt,
    p99ConnectedAfterReadyMs: pct(backAt, 99) - upAt,
    peakConnectionsPerSecond: peakRate(backAt),
    /** Connection attempts (sockets opened by the SDK) from the restart until all were back. */
    attempts: attempts.length,
    peakAttemptsPerSecond: peakRate(attempts),
  };
  for (const c of clients) c.beacon.close();
  await stopServer();
  await sleep(500); // let the closed sockets go before the next round
  return result;
}

const modes = opt.jitter === 'both' ? [true, false] : [opt.jitter !== 'off'];
const results = [];
for (const jitter of modes) results.push(await run(jitter, await freePort()));
const report = { machine: machine(), options: opt, results };
if (opt.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `reconnect storm: ${N} clients, server restart (${opt.stop === 'kill' ? 'SIGKILL' : 'SIGTERM'}, down ${opt['down-ms']} ms, start)`,
  );
  console.log(`backoff: min ${opt['min-delay']} ms, max ${opt['max-delay']} ms, factor 2`);
  for (const r of results) {
    console.log(
      `jitter ${r.jitter ? 'on ' : 'off'}: all ${r.back}/${r.clients} back ${r.allConnectedAfterReadyMs} ms after the server was ready ` +
        `(median ${r.medianConnectedAfterReadyMs}, p99 ${r.p99ConnectedAfterReadyMs}), all resubscribed ${r.allResubscribedAfterReadyMs} ms after ready ` +
        `(${r.allResubscribedAfterRestartMs} ms after the restart began; server down ${r.serverDownMs} ms); ` +
        `peak ${r.peakConnectionsPerSecond.perSecond1s} conn/s over 1 s, ${r.peakConnectionsPerSecond.perSecond100ms} conn/s over 100 ms; ` +
        `${r.attempts} attempts, peak ${r.peakAttemptsPerSecond.perSecond1s} attempts/s over 1 s, ${r.peakAttemptsPerSecond.perSecond100ms} over 100 ms`,
    );
  }
}
process.exit(results.every((r) => r.allBack) ? 0 : 1);
