/**
 * The publisher shared by every target: HTTP/1.1 keep-alive POSTs to /v1/publish through one
 * http.Agent, body built by string concatenation from data already serialised.
 */
import http from 'node:http';
import net from 'node:net';
import { takeAnswer } from './http-load.js';

/** What a publisher's attempts came to: successes, failures, and failures by reason. */
export class Outcomes {
  ok = 0;
  failed = 0;
  /** @type {Map<string, number>} status or error -> count */
  failures = new Map();

  /** @param {boolean} ok @param {string} [why] */
  record(ok, why) {
    if (ok) {
      this.ok++;
      return;
    }
    this.failed++;
    const key = why ?? 'error';
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }
}

export class Publisher extends Outcomes {
  /**
   * @param {{ host: string, port: number, secret: string, maxSockets: number, timeoutMs?: number }} opts
   */
  constructor(opts) {
    super();
    this.opts = opts;
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets,
      maxFreeSockets: opts.maxSockets,
    });
  }

  /**
   * Publishes `dataJson` (already JSON) on `topic`. Never rejects: resolves true on 200, false otherwise.
   * @param {string} topic
   * @param {string} dataJson
   * @returns {Promise<boolean>}
   */
  publish(topic, dataJson) {
    const body = `{"topic":${JSON.stringify(topic)},"data":${dataJson}}`;
    return new Promise((resolve) => {
      let done = false;
      /** @param {boolean} ok @param {string} [why] */
      const finish = (ok, why) => {
        if (done) return;
        done = true;
        this.record(ok, why);
        resolve(ok);
      };
      const req = http.request(
        {
          host: this.opts.host,
          port: this.opts.port,
          method: 'POST',
          path: '/v1/publish',
          agent: this.agent,
          timeout: this.opts.timeoutMs ?? 10000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.opts.secret}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => finish(res.statusCode === 200, `HTTP ${res.statusCode}`));
          res.on('error', (err) => finish(false, err.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('publish timed out')));
      req.on('error', (err) => finish(false, err.message));
      req.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * The same publisher on raw `net` sockets: keep-alive HTTP/1.1, one request in flight per socket, the
 * answer parsed just enough to find its status and end (as `http-load.js` does). node:http's client
 * costs the bench about 0.8 ms of CPU per publish at 200/s on a 2-core VM, more than a bare server
 * spends answering it, and in the cluster-push scenario that work lands while the same process reads the
 * deliveries; this one costs a fraction of it (docs/benchmarks.md, "The latency publisher").
 */
export class RawPublisher extends Outcomes {
  /**
   * @param {{ host: string, port: number, secret: string, maxSockets: number, timeoutMs?: number }} opts
   */
  constructor(opts) {
    super();
    this.opts = opts;
    this.head =
      `POST /v1/publish HTTP/1.1\r\nhost: ${opts.host}:${opts.port}\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer ${opts.secret}\r\ncontent-length: `;
    /** @type {RawConn[]} */
    this.idle = [];
    /** @type {Set<RawConn>} */
    this.all = new Set();
    this.closed = false;
  }

  /**
   * @param {string} topic
   * @param {string} dataJson
   * @returns {Promise<boolean>}
   */
  publish(topic, dataJson) {
    const body = `{"topic":${JSON.stringify(topic)},"data":${dataJson}}`;
    const request = `${this.head}${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve) => {
      if (this.closed) {
        this.record(false, 'closed');
        resolve(false);
        return;
      }
      let conn = this.idle.pop();
      if (conn === undefined || conn.closed) {
        if (this.all.size >= this.opts.maxSockets) {
          this.record(false, 'no free socket');
          resolve(false);
          return;
        }
        conn = new RawConn(this);
        this.all.add(conn);
      }
      conn.send(request, (ok, why) => {
        this.record(ok, why);
        resolve(ok);
      });
    });
  }

  /** @param {RawConn} conn */
  release(conn) {
    if (!conn.closed && !this.closed) this.idle.push(conn);
  }

  /** @param {RawConn} conn */
  forget(conn) {
    this.all.delete(conn);
    this.idle = this.idle.filter((c) => c !== conn);
  }

  close() {
    this.closed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle = [];
  }
}

class RawConn {
  /** @param {RawPublisher} owner */
  constructor(owner) {
    this.owner = owner;
    this.closed = false;
    /** @type {Buffer} */
    this.buf = Buffer.alloc(0);
    /** @type {((ok: boolean, why?: string) => void) | null} */
    this.done = null;
    /** @type {NodeJS.Timeout | null} */
    this.timer = null;
    this.socket = net.connect({ host: owner.opts.host, port: owner.opts.port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.read(chunk));
    const gone = (/** @type {string} */ why) => {
      if (this.closed) return;
      this.closed = true;
      owner.forget(this);
      this.finish(false, why);
    };
    this.socket.on('error', (err) => gone(err.message));
    this.socket.on('close', () => gone('socket closed'));
  }

  /** @param {string} request @param {(ok: boolean, why?: string) => void} done */
  send(request, done) {
    this.done = done;
    this.timer = setTimeout(
      () => this.socket.destroy(new Error('publish timed out')),
      this.owner.opts.timeoutMs ?? 10000,
    );
    this.socket.write(request);
  }

  /** @param {boolean} ok @param {string} [why] */
  finish(ok, why) {
    const done = this.done;
    this.done = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    done?.(ok, why);
  }

  /** @param {Buffer} chunk */
  read(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const answer = takeAnswer(this.buf);
    if (answer === null) return;
    this.buf = answer.rest;
    const close = /\r\nconnection:\s*close/i.test(answer.head);
    this.finish(answer.status === 200, `HTTP ${answer.status}`);
    if (close) this.socket.destroy();
    else this.owner.release(this);
  }
}
