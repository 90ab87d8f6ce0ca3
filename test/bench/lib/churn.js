/**
 * Presence churn beside a fan-out: `members` presence memberships held by `members / perConn` connections.
 * Each connection has `2 * perConn` slots, topics of `p.0` ... `p.<topics - 1>`, and starts as a member of
 * the first half; then `rate` joins and leaves per second: every tick a few random (connection, slot)
 * pairs flip, an unsubscribe (a leave) when the pair is a member, a subscribe (a join) when it is not, so
 * the membership stays near `members` (half the slots).
 * Members do not ask for join/leave events (delivering those is ordinary fan-out); what is measured is
 * what presence bookkeeping costs the server beside the deliveries.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from './ws-client.js';

const HOST = '127.0.0.1';
const WS_PATH = '/ws?app=bench';
const TICK_MS = 10;

/**
 * @typedef {import('./servers.js').RunningServer} RunningServer
 * @typedef {{ ops: number, joins: number, leaves: number, refused: number, unanswered: number,
 *   opsPerSec: number, members: number, setupSeconds: number }} ChurnResult
 */

/**
 * @param {RunningServer} server
 * @param {{ members: number, perConn: number, topics: number, rate: number, batch: number,
 *   log: (s: string) => void }} o
 * @returns {Promise<{ stop: () => Promise<ChurnResult> }>}
 */
export async function startChurn(server, o) {
  const conns = Math.ceil(o.members / o.perConn);
  const ports = server.wsPorts ?? [server.port];
  const pool = new Pool();
  const t0 = performance.now();
  await pool.open({
    host: HOST,
    port: ports[0] ?? server.port,
    ports,
    path: WS_PATH,
    topic: 'churn.idle',
    count: conns,
    batch: o.batch,
    timeoutMs: 20000,
    deadlineMs: 120000,
  });
  const slots = 2 * o.perConn;
  /** member[i][j]: connection i holds the topic of slot j, (i * slots + j) % topics */
  const member = pool.conns.map(() => new Array(slots).fill(false));
  let nextId = 1 << 20;
  let refused = 0;
  let unanswered = 0;
  let outstanding = 0;

  /**
   * One subscribe or unsubscribe, settled by its ack (true) or error (false).
   * @param {number} i @param {string[]} topics @param {'subscribe' | 'unsubscribe'} type
   * @returns {Promise<boolean>}
   */
  const send = (i, topics, type) => {
    const conn = pool.conns[i];
    const id = nextId++;
    outstanding++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        conn.waiters.delete(id);
        outstanding--;
        unanswered++;
        resolve(false);
      }, 10000);
      conn.waiters.set(id, (/** @type {any} */ reply) => {
        clearTimeout(timer);
        outstanding--;
        const ok = reply?.type === 'ack';
        if (!ok) refused++;
        resolve(ok);
      });
      conn.sendText(JSON.stringify({ type, topics, id }));
    });
  };
  const topicOf = (/** @type {number} */ i, /** @type {number} */ j) => `p.${(i * slots + j) % o.topics}`;

  // Fill: every connection joins its perConn topics (one frame each), a window of them at a time.
  let filled = 0;
  for (let start = 0; start < conns; start += o.batch) {
    const wave = [];
    for (let i = start; i < Math.min(conns, start + o.batch); i++) {
      const topics = Array.from({ length: o.perConn }, (_, j) => topicOf(i, j));
      wave.push(
        send(i, topics, 'subscribe').then((ok) => {
          if (ok) {
            member[i].fill(true, 0, o.perConn);
            filled += o.perConn;
          }
        }),
      );
    }
    await Promise.all(wave);
  }
  const setupSeconds = (performance.now() - t0) / 1000;
  o.log(
    `${server.name}: churn: ${filled} presence members on ${o.topics} topics over ${conns} connections in ${setupSeconds.toFixed(1)} s`,
  );
  if (filled < o.members)
    throw new Error(
      `churn: only ${filled} of ${o.members} presence joins were acknowledged (refused ${refused})`,
    );

  let joins = 0;
  let leaves = 0;
  let members = filled;
  let due = 0;
  const begin = performance.now();
  let last = begin;
  const timer = setInterval(() => {
    const now = performance.now();
    due += ((now - last) * o.rate) / 1000;
    last = now;
    // never let a slow server pile up more than a second of flips
    while (due >= 1 && outstanding < o.rate) {
      due--;
      const i = Math.floor(Math.random() * conns);
      const j = Math.floor(Math.random() * slots);
      const joining = !member[i][j];
      member[i][j] = joining; // the next flip of this pair waits for nothing: the server orders them
      if (joining) {
        joins++;
        members++;
      } else {
        leaves++;
        members--;
      }
      void send(i, [topicOf(i, j)], joining ? 'subscribe' : 'unsubscribe');
    }
  }, TICK_MS);

  return {
    async stop() {
      clearInterval(timer);
      const secs = (performance.now() - begin) / 1000;
      const settleBy = performance.now() + 5000;
      while (outstanding > 0 && performance.now() < settleBy) await new Promise((r) => setTimeout(r, 20));
      await pool.close();
      return {
        ops: joins + leaves,
        joins,
        leaves,
        refused,
        unanswered,
        opsPerSec: Math.round((joins + leaves) / secs),
        members,
        setupSeconds: Math.round(setupSeconds * 10) / 10,
      };
    },
  };
}
