/**
 * The `grpc` scenario's load generator: unary beacon.push.v1.PushService/Publish calls over node:http2,
 * speaking gRPC's wire format directly (POST /beacon.push.v1.PushService/Publish, `content-type:
 * application/grpc`, one length-prefixed protobuf message, the status in the `grpc-status` trailer). The
 * request message is encoded once. @grpc/grpc-js's own client costs more CPU per call than the bare grpc-js
 * server it would measure (it was the bottleneck at about 4,000 calls/s), so it cannot be the load generator.
 *
 * `concurrency` calls in flight over `channels` HTTP/2 sessions. Closed loop (an answer starts the next
 * call) or open loop at a fixed rate with latency counted from when a call was due (as http-load.js).
 * Bounded in time, queue and samples; 127.0.0.1 only.
 */
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';

const MAX_SAMPLES = 4_000_000;
const MAX_QUEUED = 100_000;
const PATH = '/beacon.push.v1.PushService/Publish';
const GRPC_STATUS = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** @param {number} n */
function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/**
 * PublishRequest { repeated string topics = 1; string data_json = 2; } as a gRPC message (flag 0, length).
 * @param {{ topics: string[], dataJson: string }} req
 */
export function encodePublish(req) {
  const field = (/** @type {number} */ tag, /** @type {string} */ s) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([tag]), varint(b.length), b]);
  };
  const msg = Buffer.concat([...req.topics.map((t) => field(0x0a, t)), field(0x12, req.dataJson)]);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

/**
 * @param {{ address: string, secret: string, request: { topics: string[], dataJson: string },
 *   concurrency: number, channels: number, warmup: number, duration: number, rate?: number,
 *   onStart?: () => void, onEnd?: () => void }} o
 */
export async function grpcLoad(o) {
  const body = encodePublish(o.request);
  const headers = {
    ':method': 'POST',
    ':path': PATH,
    'content-type': 'application/grpc',
    te: 'trailers',
    authorization: `Bearer ${o.secret}`,
  };
  /** @type {http2.ClientHttp2Session[]} */
  const sessions = await Promise.all(
    Array.from(
      { length: o.channels },
      () =>
        new Promise((resolve, reject) => {
          const s = http2.connect(`http://${o.address}`);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  for (const s of sessions) s.on('error', () => {});
  const samples = new Float64Array(MAX_SAMPLES);
  let n = 0;
  let measuring = false;
  let running = true;
  let requests = 0;
  let errors = 0;
  let queuedMax = 0;
  /** @type {Record<string, number>} */
  const statuses = {};
  /** @type {number[]} */
  const queue = [];
  let qHead = 0;
  let idleSlots = 0;
  let next = 0;

  /** @param {string} status */
  const done = (status, /** @type {number} */ startedAt) => {
    const now = performance.now();
    if (measuring) {
      requests++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (n < MAX_SAMPLES) samples[n++] = now - startedAt;
    }
    if (!running) return;
    if (o.rate === undefined) call(now);
    else if (qHead < queue.length) call(/** @type {number} */ (queue[qHead++]));
    else idleSlots++;
  };

  /** @param {number} startedAt */
  const call = (startedAt) => {
    const session = sessions[next++ % sessions.length];
    let status = 'UNKNOWN';
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      done(status, startedAt);
    };
    const req = session.request(headers);
    req.on('response', (h) => {
      // A trailers-only answer (an error) carries grpc-status in its headers.
      const s = h['grpc-status'];
      if (s !== undefined) status = GRPC_STATUS[Number(s)] ?? String(s);
    });
    req.on('trailers', (t) => {
      const s = t['grpc-status'];
      if (s !== undefined) status = GRPC_STATUS[Number(s)] ?? String(s);
    });
    req.on('data', () => {});
    req.on('end', finish);
    req.on('error', () => {
      status = 'ERROR';
      finish();
    });
    req.end(body);
  };

  const t0 = performance.now();
  const startAt = t0 + o.warmup * 1000;
  const endAt = startAt + o.duration * 1000;
  /** @type {NodeJS.Timeout | undefined} */
  let ticker;
  if (o.rate === undefined) {
    for (let i = 0; i < o.concurrency; i++) call(performance.now());
  } else {
    idleSlots = o.concurrency;
    const period = 1000 / o.rate;
    let due = t0;
    ticker = setInterval(() => {
      const now = performance.now();
      while (due <= now && running) {
        if (idleSlots > 0) {
          idleSlots--;
          call(due);
        } else if (queue.length - qHead < MAX_QUEUED) queue.push(due);
        else errors++;
        due += period;
      }
      if (qHead > 4096 && qHead * 2 > queue.length) {
        queue.splice(0, qHead);
        qHead = 0;
      }
      queuedMax = Math.max(queuedMax, queue.length - qHead);
    }, 1);
  }
  const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
  while (performance.now() < startAt) await sleep(10);
  measuring = true;
  o.onStart?.();
  const start = performance.now();
  while (performance.now() < endAt) await sleep(10);
  measuring = false;
  o.onEnd?.();
  const end = performance.now();
  running = false;
  if (ticker) clearInterval(ticker);
  for (const s of sessions) s.destroy();
  const seconds = (end - start) / 1000;
  const sorted = samples.slice(0, n).sort();
  const pct = (/** @type {number} */ p) =>
    n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)];
  return {
    requests,
    perSec: requests / seconds,
    statuses,
    errors,
    seconds,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    maxMs: n === 0 ? NaN : sorted[n - 1],
    queuedMax,
    window: { start, end },
  };
}
