/**
 * The publisher shared by every target: HTTP/1.1 keep-alive POSTs to /v1/publish through one
 * http.Agent, body built by string concatenation from data already serialised.
 */
import http from 'node:http';

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
