/**
 * Starting and stopping the servers under test as child processes (CPU accounting: cpu.js).
 * Every child is registered so that exit, SIGINT, SIGTERM and uncaught errors kill it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = path.resolve(BENCH_DIR, '..', '..');
export const REFERENCE_SCRIPT = path.join(BENCH_DIR, 'reference-server.js');
export const BEACON_MAIN = path.join(REPO_ROOT, 'apps', 'beacon', 'dist', 'main.js');
export const BEACON_CLI = path.join(REPO_ROOT, 'apps', 'beacon', 'dist', 'cli.js');
/** Entry points of the split deployment (docs/cluster.md). */
export const CLUSTER_MAINS = {
  topicService: path.join(REPO_ROOT, 'apps', 'topic-service', 'dist', 'main.js'),
  gateway: path.join(REPO_ROOT, 'apps', 'gateway', 'dist', 'main.js'),
  pushApi: path.join(REPO_ROOT, 'apps', 'push-api', 'dist', 'main.js'),
};

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {string[]} extra node flags for every server child, e.g. --cpu-prof */
let serverNodeArgs = [];
/** @param {string[]} args */
export function setServerNodeArgs(args) {
  serverNodeArgs = args;
}
/** @type {Set<string>} */
const tempDirs = new Set();

/** Kills every child still alive and removes temp dirs. Synchronous: safe inside 'exit'. */
export function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let hooked = false;
/** Installs exit/signal hooks once. */
export function installCleanup() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(sig, () => {
      process.stderr.write(`\n[bench] ${sig}: stopping servers\n`);
      killAll();
      process.exit(128 + (os.constants.signals[sig] ?? 2));
    });
  }
}

/** @returns {Promise<number>} a port free right now on 127.0.0.1 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * GET a path, resolve the status code (0 on connection error).
 * @param {number} port
 * @param {string} p
 * @returns {Promise<number>}
 */
function getStatus(port, p) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 2000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/**
 * GET a path and parse the JSON body (null on any error).
 * @param {number} port
 * @param {string} p
 * @returns {Promise<any>}
 */
function getJson(port, p) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (/** @type {string} */ c) => {
        if (body.length < 65536) body += c;
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {object} RunningServer
 * @property {string} name
 * @property {number} port HTTP port the publisher posts to (`POST /v1/publish`)
 * @property {number} pid
 * @property {string} secret
 * @property {number[]} [wsPorts] where subscribers connect (default: `port`); the cluster's gateways
 * @property {number} [grpcPort] where the PushService (or the reference's) answers on 127.0.0.1
 * @property {{ role: string, pid: number }[]} [processes] every process whose CPU counts as the server's
 * @property {() => string} output last lines the child printed
 * @property {() => Promise<void>} stop
 */

/**
 * Spawns `node <script>`. With `readyPattern`, it is ready when a stdout line matches (no port, no
 * /readyz). Otherwise finds the port in a `listening on http://127.0.0.1:<port>` line (or uses
 * `fixedPort`), then waits for GET /readyz to answer 200.
 * @param {{ name: string, script: string, env: Record<string, string>, fixedPort?: number,
 *   secret: string, startTimeoutMs: number, portLineTimeoutMs: number, readyPattern?: RegExp }} opts
 * @returns {Promise<RunningServer>}
 */
async function spawnServer(opts) {
  const nodeArgs = [...serverNodeArgs, opts.script];
  // BENCH_SERVER_CPUS=1 pins the server to CPU 1 with taskset (pin the bench itself with `taskset -c 0`).
  const pin = process.env.BENCH_SERVER_CPUS;
  const [cmd, args] = pin
    ? ['taskset', ['-c', pin, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  /** @type {string[]} */
  const tail = [];
  const keep = (/** @type {string} */ line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  /** @type {(port: number) => void} */
  let onPort = () => {};
  const portSeen = new Promise((resolve) => {
    onPort = resolve;
  });
  /** @type {() => void} */
  let onReadyLine = () => {};
  const readyLineSeen = new Promise((resolve) => {
    onReadyLine = () => resolve('ready');
  });
  let stdoutRest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (/** @type {string} */ s) => {
    const lines = (stdoutRest + s).split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      keep(line);
      if (opts.readyPattern?.test(line)) onReadyLine();
      const m = /listening on https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):(\d+)/.exec(line);
      if (m) onPort(Number(m[1]));
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (/** @type {string} */ s) => {
    for (const line of s.split('\n')) if (line) keep(line);
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, sig) => resolve(`exited (${sig ?? code})`)),
  );
  const output = () => tail.join('\n');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exited, sleep(3000).then(() => null)]);
      if (killed === null) child.kill('SIGKILL');
      await exited;
    }
    children.delete(child);
  };

  try {
    if (opts.readyPattern) {
      const got = await Promise.race([
        readyLineSeen,
        exited,
        sleep(opts.startTimeoutMs).then(() => 'timeout'),
      ]);
      if (got !== 'ready') throw new Error(`${opts.name}: no line matching ${opts.readyPattern} (${got})`);
      return {
        name: opts.name,
        port: opts.fixedPort ?? 0,
        pid: /** @type {number} */ (child.pid),
        secret: opts.secret,
        output,
        stop,
      };
    }
    let port = opts.fixedPort;
    if (port === undefined) {
      const got = await Promise.race([portSeen, exited, sleep(opts.portLineTimeoutMs).then(() => 'timeout')]);
      if (typeof got !== 'number') {
        throw new Error(`${opts.name}: no "listening on http://127.0.0.1:<port>" line (${got})`);
      }
      port = got;
    }
    const deadline = Date.now() + opts.startTimeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${opts.name}: exited during startup`);
      if ((await getStatus(port, '/readyz')) === 200) break;
      if (Date.now() > deadline)
        throw new Error(`${opts.name}: /readyz not 200 after ${opts.startTimeoutMs} ms`);
      await sleep(100);
    }
    return {
      name: opts.name,
      port,
      pid: /** @type {number} */ (child.pid),
      secret: opts.secret,
      output,
      stop,
    };
  } catch (err) {
    await stop();
    const e = /** @type {Error} */ (err);
    e.message += `\n--- ${opts.name} output (last lines) ---\n${output()}`;
    throw e;
  }
}

/**
 * The reference: ws fan-out, a bare node:http publish and a bare grpc-js Publish, checking the same kind
 * of Bearer secret as Beacon.
 * @returns {Promise<RunningServer>}
 */
export async function startReference() {
  const secret = randomBytes(24).toString('hex');
  const grpcPort = await freePort();
  const server = await spawnServer({
    name: 'reference',
    script: REFERENCE_SCRIPT,
    env: { REF_PORT: '0', REF_SECRET: secret, REF_GRPC_PORT: String(grpcPort) },
    secret,
    startTimeoutMs: 15000,
    portLineTimeoutMs: 10000,
  });
  return { ...server, grpcPort };
}

/**
 * Starts Beacon from apps/beacon/dist/main.js with a fresh data dir and a random dev secret. Tries
 * BEACON_PORT=0 first; if no port line shows up, retries once with a free port picked here.
 * @param {string} [main]
 * @returns {Promise<RunningServer>}
 */
export async function startBeacon(main = BEACON_MAIN) {
  const secret = randomBytes(32).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-'));
  tempDirs.add(dataDir);
  const grpcPort = await freePort();
  const env = {
    BEACON_DATA_DIR: dataDir,
    BEACON_HOST: '127.0.0.1',
    BEACON_GRPC_PORT: String(grpcPort),
    BEACON_DEV_APP_KEY: 'bench',
    BEACON_DEV_APP_SECRET: secret,
    BEACON_LOG_LEVEL: 'warn',
  };
  const base = { name: 'beacon', script: main, secret, startTimeoutMs: 60000, portLineTimeoutMs: 30000 };
  let server;
  try {
    server = await spawnServer({ ...base, env: { ...env, BEACON_PORT: '0' } });
  } catch (err) {
    if (!/no "listening on/.test(String(err))) throw err;
    process.stderr.write(
      `[bench] beacon printed no port line with BEACON_PORT=0; retrying on a fixed port\n`,
    );
    const port = await freePort();
    server = await spawnServer({ ...base, env: { ...env, BEACON_PORT: String(port) }, fixedPort: port });
  }
  server.grpcPort = grpcPort;
  // The running server sees the change through its app change feed (BEACON_APP_CHANGE_POLL_MS, 500 ms).
  await enableBenchFeatures(dataDir);
  await new Promise((r) => setTimeout(r, 1500));
  const stop = server.stop;
  server.stop = async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  };
  return server;
}

/**
 * Turns on the features the `features` scenario measures for the bench app: presence on `p.*`, history on
 * `h` (1,000 messages, 300 s). Plain topics (`t`) are unaffected but for the pattern checks every publish
 * and subscribe makes anyway.
 * @param {string} dataDir
 */
export async function enableBenchFeatures(dataDir) {
  const r = await runNode(
    BEACON_CLI,
    ['apps', 'update', 'bench', '--presence', 'p.*', '--history', 'h:1000:300'],
    { BEACON_DATA_DIR: dataDir, BEACON_LOG_LEVEL: 'warn' },
    60000,
  );
  if (r.code !== 0)
    throw new Error(`\`beacon apps update bench\` failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
}

/**
 * Runs `node <script> ...args` to completion (bounded), registered like a server so that a signal kills it.
 * @param {string} script
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {number} timeoutMs
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function runNode(script, args, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (/** @type {string} */ c) => {
      if (stdout.length < 65536) stdout += c;
    });
    child.stderr.on('data', (/** @type {string} */ c) => {
      if (stderr.length < 65536) stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      children.delete(child);
      if (sig) reject(new Error(`${path.basename(script)} ${args.join(' ')}: killed (${sig})\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts the split deployment (docs/cluster.md) as real processes on 127.0.0.1, sharing one fresh
 * SQLite data dir: the app is created with the CLI (which migrates the file and prints the secret once),
 * then the topic-service, two gateways and the push API. Resolves once both gateways report
 * `checks.topicService === 'ok'` on /readyz and the push API's /readyz is 200. The result publishes
 * through the push API (`port`) and has subscribers connect to the gateways (`wsPorts`); its CPU is
 * the sum over all four processes (`processes`).
 * @returns {Promise<RunningServer>}
 */
export async function startCluster() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-cluster-'));
  tempDirs.add(dataDir);
  /** @type {RunningServer[]} */
  const started = [];
  const stopAll = async () => {
    for (const s of [...started].reverse()) await s.stop();
    started.length = 0;
    fs.rmSync(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  };
  try {
    const created = await runNode(
      BEACON_CLI,
      ['apps', 'create', '--name', 'bench', '--key', 'bench', '--anonymous', '--client-publish'],
      { BEACON_DATA_DIR: dataDir, BEACON_LOG_LEVEL: 'warn' },
      60000,
    );
    // The CLI prints `  secret: <secret>` once (apps/beacon/src/cli/run-cli.ts).
    const secret = /^\s*secret:\s*(\S+)\s*$/m.exec(created.stdout)?.[1];
    if (created.code !== 0 || !secret) {
      throw new Error(
        `cluster: \`beacon apps create\` failed (exit ${created.code}):\n${created.stdout}${created.stderr}`,
      );
    }
    await enableBenchFeatures(dataDir);
    const tsPort = await freePort();
    const topicServiceUrl = `127.0.0.1:${tsPort}`;
    // Measured as it should run: every cluster call carries the cluster token.
    const clusterToken = randomBytes(24).toString('hex');
    const common = { secret, startTimeoutMs: 60000, portLineTimeoutMs: 30000 };
    started.push(
      await spawnServer({
        ...common,
        name: 'topic-service',
        script: CLUSTER_MAINS.topicService,
        env: {
          BEACON_TOPIC_SERVICE_PORT: String(tsPort),
          BEACON_TOPIC_SERVICE_HOST: '127.0.0.1',
          BEACON_CLUSTER_TOKEN: clusterToken,
          BEACON_LOG_LEVEL: 'warn',
        },
        fixedPort: tsPort,
        readyPattern: /topic-service listening on/,
      }),
    );
    const linked = {
      BEACON_HOST: '127.0.0.1',
      BEACON_TOPIC_SERVICE_URL: topicServiceUrl,
      BEACON_CLUSTER_TOKEN: clusterToken,
      BEACON_DATA_DIR: dataDir,
      BEACON_LOG_LEVEL: 'warn',
    };
    // Two gateways, started together; the bench's own client publishes must not be rate limited.
    const settled = await Promise.allSettled(
      [1, 2].map((n) =>
        spawnServer({
          ...common,
          name: `gateway${n}`,
          script: CLUSTER_MAINS.gateway,
          env: {
            ...linked,
            BEACON_PORT: '0',
            BEACON_PUBLISH_RATE: '100000',
            BEACON_PUBLISH_BURST: '100000',
            BEACON_FRAME_RATE: '100000',
            BEACON_FRAME_BURST: '100000',
          },
        }),
      ),
    );
    /** @type {RunningServer[]} */
    const gateways = [];
    for (const r of settled) if (r.status === 'fulfilled') gateways.push(r.value);
    started.push(...gateways);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const grpcPort = await freePort();
    const pushApi = await spawnServer({
      ...common,
      name: 'push-api',
      script: CLUSTER_MAINS.pushApi,
      env: { ...linked, BEACON_PORT: '0', BEACON_GRPC_PORT: String(grpcPort) },
    });
    started.push(pushApi);
    // Gateways answer /readyz 200 while detached; wait until both are attached to the topic-service.
    const deadline = Date.now() + 30000;
    for (;;) {
      const states = await Promise.all(gateways.map((g) => getJson(g.port, '/readyz')));
      if (states.every((st) => st?.checks?.topicService === 'ok')) break;
      if (Date.now() > deadline) {
        throw new Error(
          `cluster: gateways not attached to the topic-service after 30 s: ${JSON.stringify(states.map((st) => st?.checks))}`,
        );
      }
      await sleep(100);
    }
    const processes = started.map((s) => ({ role: s.name, pid: s.pid }));
    return {
      name: 'cluster',
      port: pushApi.port,
      pid: pushApi.pid,
      secret,
      wsPorts: gateways.map((g) => g.port),
      grpcPort,
      processes,
      output: () => started.map((s) => `--- ${s.name} ---\n${s.output()}`).join('\n'),
      stop: stopAll,
    };
  } catch (err) {
    const e = /** @type {Error} */ (err);
    for (const s of started) e.message += `\n--- ${s.name} output (last lines) ---\n${s.output()}`;
    await stopAll();
    throw e;
  }
}
