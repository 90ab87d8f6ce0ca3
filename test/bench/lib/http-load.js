/**
 * A small HTTP/1.1 load generator for the `rest` scenario: raw `net` sockets on 127.0.0.1, one request
 * in flight per connection (keep-alive, no pipelining), the request bytes built once, responses parsed
 * just enough to find their status and end (status line, Content-Length). It costs far less per request
 * than node:http's client, so it can drive a bare node:http server without being the bottleneck.
 *
 * Two modes, both bounded in time and in samples:
 *   closed loop (`rate` unset): every connection sends its next request as soon as the previous answer
 *     has arrived; measures the server's capacity.
 *   open loop (`rate` set): requests are due at a fixed rate; a due request waits for a free connection
 *     (queued, bounded), and its latency runs from when it was DUE, so a stalled server is charged for
 *     the requests it kept waiting (no coordinated omission).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const MAX_SAMPLES = 4_000_000;
const MAX_QUEUED = 100_000;
const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * @param {{ host: string, port: number, method?: string, path: string, headers: Record<string, string>,
 *   body: string }} r
 */
export function buildRequest(r) {
  const body = Buffer.from(r.body);
  const head = [
    `${r.method ?? 'POST'} ${r.path} HTTP/1.1`,
    `host: ${r.host}:${r.port}`,
    ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head), body]);
}

/**
 * The first whole HTTP/1.1 answer at the start of `buf`, parsed just enough to find its status and end
 * (status line, Content-Length): null until all of it has arrived. `rest` is what follows it.
 * @param {Buffer} buf
 * @returns {{ status: number, head: string, rest: Buffer } | null}
 */
export function takeAnswer(buf) {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return null;
  const head = buf.toString('latin1', 0, end);
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const total = end + 4 + (m ? Number(m[1]) : 0);
  if (buf.length < total) return null;
  return {
    status: Number(head.slice(9, 12)),
    head,
    rest: buf.length === total ? Buffer.alloc(0) : buf.subarray(total),
  };
}

/**
 * One keep-alive connection: `send()` writes the request, `onDone(status)` is called once the whole
 * answer has been read.
 */
class Conn {
  /**
   * @param {net.Socket} socket
   * @param {Buffer} request
   * @param {(conn: Conn, status: number) => void} onDone
   */
  constructor(socket, request, onDone) {
    this.socket = socket;
    this.request = request;
    this.onDone = onDone;
    /** @type {Buffer} */
    this.buf = Buffer.alloc(0);
    this.busy = false;
    this.startedAt = 0;
    this.closed = false;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.read(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  /** @param {number} startedAt */
  send(startedAt) {
    this.busy = true;
    this.startedAt = startedAt;
    this.socket.write(this.request);
  }

  /** @param {Buffer} chunk */
  read(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const answer = takeAnswer(this.buf);
      if (answer === null) return;
      this.buf = answer.rest;
      this.busy = false;
      this.onDone(this, answer.status);
    }
  }
}

/**
 * @param {{ host: string, port: number, request: Buffer, connections: number, warmup: number,
 *   duration: number, rate?: number, onStart?: () => void, onEnd?: () => void }} o seconds for warmup and duration; rate in requests/s
 * @returns {Promise<{ requests: number, perSec: number, statuses: Record<string, number>, errors: number,
 *   seconds: number, p50Ms: number, p90Ms: number, p99Ms: number, maxMs: number, queuedMax: number,
 *   window: { start: number, end: number } }>}
 */
export async function httpLoad(o) {
  /** @type {Conn[]} */
  const conns = [];
  const samples = new Float64Array(MAX_SAMPLES);
  let n = 0;
  let measuring = false;
  let running = true;
  let requests = 0;
  let errors = 0;
  let queuedMax = 0;
  /** @type {Record<string, number>} */
  const statuses = {};
  /** @type {number[]} due times waiting for a free connection (open loop) */
  const queue = [];
  let qHead = 0;
  /** @type {Conn[]} */
  const idle = [];

  /** @param {Conn} conn @param {number} status */
  const onDone = (conn, status) => {
    const now = performance.now();
    if (measuring) {
      requests++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (n < MAX_SAMPLES) samples[n++] = now - conn.startedAt;
    }
    if (!running) return;
    if (o.rate === undefined) conn.send(now);
    else if (qHead < queue.length) conn.send(/** @type {number} */ (queue[qHead++]));
    else idle.push(conn);
  };

  await Promise.all(
    Array.from(
      { length: o.connections },
      () =>
        new Promise((resolve, reject) => {
          const socket = net.connect({ host: o.host, port: o.port }, () => {
            conns.push(new Conn(socket, o.request, onDone));
            resolve(undefined);
          });
          socket.once('error', reject);
        }),
    ),
  );

  const t0 = performance.now();
  const startAt = t0 + o.warmup * 1000;
  const endAt = startAt + o.duration * 1000;
  /** @type {NodeJS.Timeout | undefined} */
  let ticker;
  if (o.rate === undefined) {
    for (const c of conns) c.send(performance.now());
  } else {
    idle.push(...conns);
    const period = 1000 / o.rate;
    let next = t0;
    const tick = () => {
      const now = performance.now();
      while (next <= now && running) {
        const conn = idle.pop();
        if (conn !== undefined) conn.send(next);
        else if (queue.length - qHead < MAX_QUEUED) queue.push(next);
        else errors++;
        next += period;
      }
      if (qHead > 4096 && qHead * 2 > queue.length) {
        queue.splice(0, qHead);
        qHead = 0;
      }
      queuedMax = Math.max(queuedMax, queue.length - qHead);
    };
    ticker = setInterval(tick, 1);
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
  for (const c of conns) {
    if (c.closed) errors++;
    c.socket.destroy();
  }
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
