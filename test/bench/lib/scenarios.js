/**
 * The two scenarios. Both take a running server (reference, Beacon, or the cluster of
 * startCluster()) and use the same client pool and the same publisher, so whatever the client costs,
 * it costs the same for every target.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from './ws-client.js';
import { Outcomes, Publisher, RawPublisher } from './publisher.js';
import { loopDelayMark } from './loop-delay.js';
import { cpuBetween, machineCpuSeconds, procSnapshot, processTree, selfCpuSeconds } from './cpu.js';

const HOST = '127.0.0.1';
const WS_PATH = '/ws?app=bench';
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {import('./servers.js').RunningServer} RunningServer
 * @typedef {{ host: string, port: number, path: string, topic: string, count: number, batch: number,
 *   timeoutMs: number, deadlineMs: number }} OpenOpts
 */

/**
 * @param {RunningServer} server
 * @param {number} count
 * @param {number} batch
 * @param {string} topic
 * @param {number[]} [ports] where the clients connect, split evenly (default: the server's WS ports)
 * @returns {OpenOpts & { ports: number[] }}
 */
function openOpts(server, count, batch, topic, ports = server.wsPorts ?? [server.port]) {
  return {
    host: HOST,
    port: ports[0],
    ports,
    path: WS_PATH,
    topic,
    count,
    batch,
    timeoutMs: 20000,
    deadlineMs: 120000,
  };
}

/** @param {Map<string, number>} m */
const mapToObject = (m) => Object.fromEntries(m);

export function cpuSnapshot() {
  const machine = machineCpuSeconds();
  return { procs: procSnapshot(), bench: selfCpuSeconds(), machine, at: performance.now() };
}

/**
 * CPU used during a measurement, in cores (1 = one core fully busy): the server's process tree (for
 * the cluster: the sum over all its processes' trees, and each one in `serverCpuByProcess`), this
 * process, the whole machine, its softirq share (mostly loopback TCP), steal, and every other process;
 * and the run-queue wait of the server's and the bench's main threads (`serverRunQueue`, by process in
 * `serverRunQueueByProcess`, `benchRunQueue`).
 * @param {RunningServer} srv
 * @param {ReturnType<typeof cpuSnapshot>} a
 * @param {ReturnType<typeof cpuSnapshot>} b
 */
export function cpuShare(srv, a, b) {
  const secs = (b.at - a.at) / 1000;
  const r = (/** @type {number} */ x) => Math.round((x / secs) * 1000) / 1000;
  const roles = srv.processes ?? [{ role: srv.name, pid: srv.pid }];
  /** @type {Set<number>} */
  const tree = new Set();
  /** @type {Record<string, number>} */
  const byProcess = {};
  /** @type {Record<string, number>} */
  const waitByProcess = {};
  for (const { role, pid } of roles) {
    const t = processTree(b.procs, pid);
    for (const p of t) tree.add(p);
    const c = cpuBetween(a.procs, b.procs, (p) => t.has(p));
    byProcess[role] = r(c.seconds);
    waitByProcess[role] = r(c.waitSeconds);
  }
  const server = cpuBetween(a.procs, b.procs, (p) => tree.has(p));
  const bench = cpuBetween(a.procs, b.procs, (p) => p === process.pid);
  const others = cpuBetween(a.procs, b.procs, (p) => !tree.has(p) && p !== process.pid);
  return {
    serverCpu: r(server.seconds),
    ...(srv.processes && { serverCpuByProcess: byProcess, serverRunQueueByProcess: waitByProcess }),
    benchCpu: r(b.bench - a.bench),
    // Time the main threads of the server processes and of the bench spent runnable but waiting for a
    // CPU, in cores: on a machine with fewer cores than busy processes this is where latency goes.
    serverRunQueue: r(server.waitSeconds),
    benchRunQueue: r(bench.waitSeconds),
    machineCpu: r(b.machine.busy - a.machine.busy),
    softirqCpu: r(b.machine.softirq - a.machine.softirq),
    stealCpu: r(b.machine.steal - a.machine.steal),
    // Everything the machine did besides the server and the bench: other processes, including ones
    // that started and ended inside the window (which no per-process snapshot sees).
    otherCpu: r(Math.max(0, b.machine.busy - a.machine.busy - server.seconds - (b.bench - a.bench))),
    otherProcessesCpu: r(others.seconds),
    busiestOtherProcesses: others.top.map((o) => `${o.name}[${o.pid}] ${r(o.seconds)}`),
  };
}

/**
 * @param {number} bytes
 * @returns {string} a JSON string literal of about `bytes` characters
 */
function padding(bytes) {
  return JSON.stringify('x'.repeat(Math.max(0, bytes)));
}

/**
 * Fan-out: N subscribers on one topic; the publisher keeps at most `window` messages not yet delivered
 * to all N, for `duration` seconds after a `warmup`. Messages reach each subscriber in order on one
 * connection, so "message k delivered to everyone" is "every subscriber has counted more than k frames":
 * a ring of per-index counters gives that without parsing a single delivery.
 * @param {RunningServer} server
 * @param {{ subscribers: number, window: number, duration: number, warmup: number, drain: number,
 *   payload: number, batch: number, stall: number, busyPoll?: boolean, log: (s: string) => void,
 *   topic?: string, scenario?: string }} o `topic` (default `t`); `scenario` names the result row
 */
export async function fanout(server, o) {
  const RING = 1 << 16;
  const MASK = RING - 1;
  if (o.window >= RING / 2) throw new Error(`--window must be below ${RING / 2}`);
  const N = o.subscribers;
  const ring = new Uint32Array(RING);
  let fully = 0;
  let lastProgress = performance.now();
  /** @type {() => void} */
  let pump = () => {};
  const pool = new Pool({
    hooks: {
      onDelivery(conn) {
        const k = conn.count - 1;
        if (++ring[k & MASK] === N) {
          while (ring[fully & MASK] === N) {
            ring[fully & MASK] = 0;
            fully++;
          }
          lastProgress = performance.now();
          pump();
        }
      },
    },
  });
  const publisher = new Publisher({
    host: HOST,
    port: server.port,
    secret: server.secret,
    maxSockets: o.window,
  });
  try {
    const t0 = performance.now();
    const topic = o.topic ?? 't';
    await pool.open(openOpts(server, N, o.batch, topic));
    const connectMs = performance.now() - t0;
    o.log(`${server.name}: ${N} subscribers connected and acked in ${(connectMs / 1000).toFixed(1)} s`);
    await sleep(200);
    pool.resetCounts();

    const pad = padding(o.payload);
    let accepted = 0; // publishes answered 200
    let inFlight = 0; // publishes not answered yet
    let seq = 0;
    let publishing = true;
    pump = () => {
      while (publishing && accepted + inFlight - fully < o.window) {
        inFlight++;
        const data = `{"seq":${seq++},"pad":${pad}}`;
        publisher.publish(topic, data).then((ok) => {
          inFlight--;
          if (ok) accepted++;
          pump();
        });
      }
    };

    const start = performance.now();
    lastProgress = start;
    // Busy-poll: keep the event loop from sleeping in epoll_wait while publishing (see docs/benchmarks.md).
    let spinning = o.busyPoll;
    const spin = () => {
      if (spinning) setImmediate(spin);
    };
    spin();
    pump();
    let stalled = false;
    /** @type {(endAt: number) => Promise<void>} */
    const runUntil = async (endAt) => {
      while (performance.now() < endAt) {
        await sleep(Math.min(50, Math.max(1, endAt - performance.now())));
        if (performance.now() - lastProgress > o.stall * 1000) {
          stalled = true;
          return;
        }
      }
    };
    await runUntil(start + o.warmup * 1000);
    const a = { d: pool.deliveries, r: pool.reads, f: fully, p: accepted, cpu: cpuSnapshot() };
    if (!stalled) await runUntil(a.cpu.at + o.duration * 1000);
    const b = { d: pool.deliveries, r: pool.reads, f: fully, p: accepted, cpu: cpuSnapshot() };
    const cpu = cpuShare(server, a.cpu, b.cpu);
    publishing = false;
    spinning = false;
    const secs = (b.cpu.at - a.cpu.at) / 1000;

    // Drain: wait for answers to the publishes still in flight and for every accepted message to reach
    // every subscriber, bounded in time.
    const drainStart = performance.now();
    while (performance.now() - drainStart < o.drain * 1000) {
      if (inFlight === 0 && pool.deliveries >= accepted * N) break;
      await sleep(20);
    }
    const drainMs = performance.now() - drainStart;
    const expected = accepted * N;
    const received = pool.deliveries;
    return {
      scenario: o.scenario ?? 'fanout',
      target: server.name,
      topic,
      subscribers: N,
      ...(server.wsPorts && {
        subscribersPerGateway: server.wsPorts.map((_, i) => countFor(N, i, server.wsPorts?.length ?? 1)),
      }),
      window: o.window,
      payloadBytes: o.payload,
      seconds: round(secs, 3),
      connectSeconds: round(connectMs / 1000, 2),
      deliveriesPerSec: round((b.d - a.d) / secs, 0),
      messagesPerSec: round((b.f - a.f) / secs, 1),
      publishedPerSec: round((b.p - a.p) / secs, 1),
      deliveriesPerRead: round((b.d - a.d) / Math.max(1, b.r - a.r), 2),
      serverCpuUsPerDelivery: round(((cpu.serverCpu * secs) / Math.max(1, b.d - a.d)) * 1e6, 2),
      published: accepted,
      expectedDeliveries: expected,
      receivedDeliveries: received,
      loss: expected - received,
      drainMs: round(drainMs, 0),
      drained: inFlight === 0 && received >= expected,
      stalled,
      publishFailures: publisher.failed,
      publishFailureReasons: mapToObject(publisher.failures),
      closesDuringRun: mapToObject(pool.closes),
      openAtEnd: pool.openCount(),
      errorFrames: pool.errorFrames,
      ...cpu,
    };
  } finally {
    pump = () => {};
    publisher.close();
    await pool.close();
  }
}

/**
 * How many of subscribers 0..n-1 land on port `j` of `k` when subscriber i takes port i % k.
 * @param {number} n
 * @param {number} j
 * @param {number} k
 */
function countFor(n, j, k) {
  return j < n ? Math.floor((n - j - 1) / k) + 1 : 0;
}

/**
 * A publisher that is itself a WebSocket client of a gateway: `{"type":"publish","topic":...,"data":...,
 * "id":n}` frames, each settled by its `ack` (true) or `error` frame (false), or false after `timeoutMs`.
 * It subscribes to a topic of its own so that it receives none of the messages it publishes.
 */
class WsPublisher extends Outcomes {
  /** @param {{ host: string, port: number, batch: number }} opts */
  constructor(opts) {
    super();
    this.opts = opts;
    this.pool = new Pool();
    this.nextId = 1_000_000;
  }

  async open() {
    await this.pool.open({
      host: this.opts.host,
      port: this.opts.port,
      path: WS_PATH,
      topic: 'bench-publisher',
      count: 1,
      batch: 1,
      timeoutMs: 20000,
      deadlineMs: 30000,
    });
  }

  /**
   * @param {string} topic
   * @param {string} dataJson
   * @param {number} [timeoutMs]
   * @returns {Promise<boolean>}
   */
  publish(topic, dataJson, timeoutMs = 10000) {
    const conn = this.pool.conns[0];
    const id = this.nextId++;
    return new Promise((resolve) => {
      /** @param {boolean} ok @param {string} [why] */
      const finish = (ok, why) => {
        clearTimeout(timer);
        conn.waiters.delete(id);
        this.record(ok, why);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false, 'no ack'), timeoutMs);
      conn.waiters.set(id, (frame) => finish(frame?.type === 'ack', `error ${frame?.code}`));
      conn.sendText(`{"type":"publish","topic":${JSON.stringify(topic)},"data":${dataJson},"id":${id}}`);
    });
  }

  close() {
    return this.pool.close();
  }
}

/**
 * Latency: M subscribers on one topic, the publisher at a fixed rate. Each message carries
 * performance.now() taken just before its publish is sent; publisher and receivers share this process
 * (and so this clock), and each receiver records now - sent when it parses the delivery.
 *
 * `via: 'http'` (default) publishes with `POST /v1/publish` to `server.port` (for the cluster: the push
 * API). `via: 'ws'` publishes as a WebSocket client of `publisherPort` (a gateway), with the timestamp
 * in `data.sent`. `subscriberPorts` places the subscribers (default: the server's WS ports). `publisher`
 * picks the HTTP client: `raw` (default, RawPublisher) or `node` (node:http's, Publisher).
 * @param {RunningServer} server
 * @param {{ subscribers: number, rate: number, duration: number, warmup: number, drain: number,
 *   payload: number, batch: number, log: (s: string) => void, via?: 'http' | 'ws',
 *   publisherPort?: number, subscriberPorts?: number[], label?: string, path?: string,
 *   publisher?: 'raw' | 'node' }} o
 */
export async function latency(server, o) {
  const M = o.subscribers;
  const via = o.via ?? 'http';
  const label = o.label ?? server.name;
  const total = Math.max(1, Math.round(o.rate * o.duration));
  const warmupCount = Math.round(o.rate * o.warmup);
  const samples = new Float64Array(total * M);
  let n = 0;
  let parseErrors = 0;
  const pool = new Pool({
    jsonMode: true,
    hooks: {
      onDeliveryText(_conn, text, now) {
        /** @type {any} */
        let msg;
        try {
          msg = JSON.parse(text);
        } catch {
          parseErrors++;
          return;
        }
        const d = msg?.data;
        const sent = typeof d?.t === 'number' ? d.t : d?.sent;
        if (typeof sent !== 'number' || d.w === 1) return;
        if (n < samples.length) samples[n++] = now - sent;
      },
    },
  });
  const stamp = via === 'ws' ? 'sent' : 't';
  /** @type {Publisher | RawPublisher | WsPublisher} */
  let publisher;
  if (via === 'ws') {
    if (o.publisherPort === undefined) throw new Error('latency via ws needs publisherPort');
    publisher = new WsPublisher({ host: HOST, port: o.publisherPort, batch: o.batch });
  } else {
    const Http = o.publisher === 'node' ? Publisher : RawPublisher;
    publisher = new Http({ host: HOST, port: server.port, secret: server.secret, maxSockets: 32 });
  }
  const subscriberPorts = o.subscriberPorts ?? server.wsPorts ?? [server.port];
  try {
    await pool.open(openOpts(server, M, o.batch, 't', subscriberPorts));
    if (publisher instanceof WsPublisher) await publisher.open();
    o.log(`${label}: ${M} latency subscribers ready; ${o.rate} msg/s for ${o.duration} s`);
    await sleep(200);
    pool.resetCounts();
    const pad = padding(o.payload);
    const period = 1000 / o.rate;

    /** @param {number} count @param {boolean} warm */
    const send = async (count, warm) => {
      const start = performance.now();
      /** @type {Promise<boolean>[]} */
      const pending = [];
      for (let i = 0; i < count; i++) {
        const due = start + i * period;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const t = performance.now();
        pending.push(publisher.publish('t', `{"${stamp}":${t},"w":${warm ? 1 : 0},"pad":${pad}}`));
      }
      return Promise.all(pending);
    };
    if (warmupCount > 0) await send(warmupCount, true);
    await loopDelayMark(server);
    const cpuA = cpuSnapshot();
    const results = await send(total, false);
    const cpuB = cpuSnapshot();
    const loopDelay = await loopDelayMark(server);
    const sentSecs = (cpuB.at - cpuA.at) / 1000;
    const accepted = results.filter(Boolean).length;
    const expected = accepted * M;
    const drainStart = performance.now();
    while (performance.now() - drainStart < o.drain * 1000 && n < expected) await sleep(20);

    const sorted = samples.slice(0, n).sort();
    const pct = (/** @type {number} */ p) =>
      n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)];
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i];
    return {
      scenario: 'latency',
      target: label,
      path: o.path ?? 'POST /v1/publish -> subscriber',
      subscribers: M,
      rate: o.rate,
      achievedRate: round(total / sentSecs, 1),
      payloadBytes: o.payload,
      published: accepted,
      samples: n,
      loss: expected - n,
      p50Ms: round(pct(50), 3),
      p90Ms: round(pct(90), 3),
      p99Ms: round(pct(99), 3),
      maxMs: round(n === 0 ? NaN : sorted[n - 1], 3),
      meanMs: round(n === 0 ? NaN : sum / n, 3),
      publishFailures: publisher.failed,
      publishFailureReasons: mapToObject(publisher.failures),
      closesDuringRun: mapToObject(pool.closes),
      errorFrames: pool.errorFrames,
      parseErrors,
      ...(loopDelay && { serverLoopDelay: loopDelay }),
      ...cpuShare(server, cpuA, cpuB),
    };
  } finally {
    await publisher.close();
    await pool.close();
  }
}

/**
 * @param {number} x
 * @param {number} digits
 */
function round(x, digits) {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : x;
}
