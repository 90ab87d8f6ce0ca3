/**
 * The `rest` and `grpc` scenarios: the push API's request path alone (no subscribers), against a bare
 * node:http and a bare grpc-js reference in the same run. Each has two phases on the same server:
 *   1. capacity: closed loop, `connections` requests in flight, for `duration` s after a warm-up;
 *   2. latency: open loop at `rate` requests/s (by default half the reference's capacity from this run),
 *      every request's latency counted from when it was due.
 * Both report server CPU, and server CPU per request, which does not depend on how fast the load
 * generator is.
 */
import { buildRequest, httpLoad } from './http-load.js';
import { grpcLoad } from './grpc-load.js';
import { cpuShare, cpuSnapshot } from './scenarios.js';

const HOST = '127.0.0.1';
const TOPIC = 'bench.push';

/** @param {number} pad */
function dataJson(pad) {
  return `{"seq":1,"pad":${JSON.stringify('x'.repeat(Math.max(0, pad)))}}`;
}

/**
 * @typedef {{ connections: number, duration: number, warmup: number, payload: number, rate?: number,
 *   channels?: number, log: (s: string) => void }} PushOpts
 */

/**
 * Runs `load` twice (capacity, then the fixed rate) with CPU accounting around each measured window.
 * @param {import('./servers.js').RunningServer} server
 * @param {'rest' | 'grpc'} scenario
 * @param {PushOpts} o
 * @param {(rate: number | undefined, onStart: () => void, onEnd: () => void) => Promise<any>} load
 */
async function twoPhases(server, scenario, o, load) {
  /** @param {number | undefined} rate */
  const measured = async (rate) => {
    /** @type {ReturnType<typeof cpuSnapshot> | undefined} */
    let a;
    /** @type {ReturnType<typeof cpuSnapshot> | undefined} */
    let b;
    const r = await load(
      rate,
      () => (a = cpuSnapshot()),
      () => (b = cpuSnapshot()),
    );
    const end = b ?? cpuSnapshot();
    return { r, cpu: cpuShare(server, a ?? end, end) };
  };
  const cap = await measured(undefined);
  const ok = (/** @type {Record<string, number>} */ st) => (st['200'] ?? 0) + (st.OK ?? 0);
  const perSec = ok(cap.r.statuses) / cap.r.seconds;
  const rate = o.rate ?? perSec / 2;
  o.log(`${server.name} ${scenario}: ${Math.round(perSec)} req/s; latency at ${Math.round(rate)} req/s`);
  const lat = await measured(rate);
  return {
    scenario,
    target: server.name,
    connections: o.connections,
    seconds: round(cap.r.seconds, 3),
    requestsPerSec: round(perSec, 0),
    statuses: cap.r.statuses,
    errors: cap.r.errors,
    p50MsAtCapacity: round(cap.r.p50Ms, 3),
    p99MsAtCapacity: round(cap.r.p99Ms, 3),
    serverCpuUsPerRequest: round(
      ((cap.cpu.serverCpu * cap.r.seconds) / Math.max(1, cap.r.requests)) * 1e6,
      1,
    ),
    ...cap.cpu,
    latency: {
      rate: round(rate, 0),
      rateFrom: o.rate === undefined ? 'half this target' : 'given',
      achievedPerSec: round(lat.r.requests / lat.r.seconds, 0),
      statuses: lat.r.statuses,
      p50Ms: round(lat.r.p50Ms, 3),
      p90Ms: round(lat.r.p90Ms, 3),
      p99Ms: round(lat.r.p99Ms, 3),
      maxMs: round(lat.r.maxMs, 3),
      queuedMax: lat.r.queuedMax,
      serverCpu: lat.cpu.serverCpu,
      serverCpuUsPerRequest: round(
        ((lat.cpu.serverCpu * lat.r.seconds) / Math.max(1, lat.r.requests)) * 1e6,
        1,
      ),
      otherCpu: lat.cpu.otherCpu,
    },
  };
}

/**
 * `POST /v1/publish {"topic":"bench.push","data":{...}}` with the app secret, no subscribers.
 * @param {import('./servers.js').RunningServer} server
 * @param {PushOpts} o
 */
export function restScenario(server, o) {
  const request = buildRequest({
    host: HOST,
    port: server.port,
    path: '/v1/publish',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.secret}` },
    body: `{"topic":"${TOPIC}","data":${dataJson(o.payload)}}`,
  });
  return twoPhases(server, 'rest', o, (rate, onStart, onEnd) =>
    httpLoad({
      host: HOST,
      port: server.port,
      request,
      connections: o.connections,
      warmup: o.warmup,
      duration: o.duration,
      rate,
      onStart,
      onEnd,
    }),
  );
}

/**
 * PushService/Publish `{topics: ["bench.push"], data_json}` with the app secret, no subscribers.
 * @param {import('./servers.js').RunningServer} server
 * @param {PushOpts} o
 */
export function grpcScenario(server, o) {
  if (server.grpcPort === undefined) throw new Error(`${server.name} serves no gRPC`);
  return twoPhases(server, 'grpc', o, (rate, onStart, onEnd) =>
    grpcLoad({
      onStart,
      onEnd,
      address: `${HOST}:${server.grpcPort}`,
      secret: server.secret,
      request: { topics: [TOPIC], dataJson: dataJson(o.payload) },
      concurrency: o.connections,
      channels: o.channels ?? 4,
      warmup: o.warmup,
      duration: o.duration,
      rate,
    }),
  );
}

/** @param {number} x @param {number} digits */
function round(x, digits) {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : x;
}
