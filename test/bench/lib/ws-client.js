/**
 * A deliberately small WebSocket client for the load generator: raw `net` sockets, a hand-written
 * upgrade request and a frame parser that, for deliveries, looks at the first bytes of the payload only.
 * Counting a delivery costs a few comparisons; JSON is parsed only for control frames (connected, ack,
 * error, pong) and, in latency mode, for deliveries. The same code talks to the reference server and to
 * Beacon, so both are measured through the same client cost.
 */
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Every delivery starts with these bytes (Beacon's encodeMessage and the reference server agree). */
const MESSAGE_PREFIX = Buffer.from('{"type":"message"');
const PREFIX_LEN = MESSAGE_PREFIX.length;
const HEADER_END = Buffer.from('\r\n\r\n');
/**
 * One read buffer shared by every socket (net's `onread`): reads land here without a Buffer allocation
 * or a stream 'data' event each. onData consumes it synchronously and copies only an incomplete tail.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/**
 * Masks and frames one client-to-server frame (clients must mask, RFC 6455 §5.3).
 * @param {number} opcode
 * @param {Buffer} payload
 * @returns {Buffer}
 */
export function encodeClientFrame(opcode, payload) {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const out = Buffer.allocUnsafe(2 + ext + 4 + len);
  out[0] = 0x80 | opcode;
  if (ext === 0) out[1] = 0x80 | len;
  else if (ext === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(len, 6);
  }
  const m = 2 + ext;
  randomBytes(4).copy(out, m);
  for (let i = 0; i < len; i++) out[m + 4 + i] = payload[i] ^ out[m + (i & 3)];
  return out;
}

/**
 * @typedef {object} PoolHooks
 * @property {(conn: Conn) => void} [onDelivery] called for every delivery in count mode
 * @property {(conn: Conn, text: string, now: number) => void} [onDeliveryText] called in json mode
 */

/** One client connection. */
export class Conn {
  /**
   * @param {Pool} pool
   * @param {number} index
   */
  constructor(pool, index) {
    this.pool = pool;
    this.index = index;
    /** deliveries received since the last Pool.resetCounts() */
    this.count = 0;
    /** @type {net.Socket | null} */
    this.socket = null;
    /** @type {Buffer | null} bytes of an incomplete frame (or of the HTTP response) */
    this.pending = null;
    this.upgraded = false;
    this.closed = false;
    /** @type {number | null} */
    this.closeCode = null;
    /** @type {any} */
    this.connectedFrame = null;
    /** @type {Map<number | string, (frame: any) => void>} */
    this.waiters = new Map();
    /** @type {((frame: any) => void) | null} */
    this.onConnected = null;
    /** @type {((err: Error) => void) | null} */
    this.onFail = null;
  }

  /**
   * Connects, upgrades, waits for the `connected` frame, subscribes and waits for the ack.
   * @param {{ host: string, port: number, path: string, topic: string, timeoutMs: number }} opts
   * @returns {Promise<void>}
   */
  open(opts) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(
        () => fail(new Error(`client ${this.index}: connect timed out`)),
        opts.timeoutMs,
      );
      /** @param {Error} err */
      const fail = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.socket?.destroy();
        reject(err);
      };
      this.onFail = fail;
      const key = randomBytes(16).toString('base64');
      this.expectedAccept = createHash('sha1')
        .update(key + WS_GUID)
        .digest('base64');
      const socket = net.connect({
        host: opts.host,
        port: opts.port,
        onread: {
          buffer: READ_BUFFER,
          callback: (n) => {
            this.pool.reads++;
            this.onData(READ_BUFFER.subarray(0, n));
            return true;
          },
        },
      });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('connect', () => {
        socket.write(
          `GET ${opts.path} HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      socket.on('error', (err) => {
        this.pool.socketErrors++;
        fail(err);
      });
      socket.on('close', () => {
        if (!this.closed) {
          this.closed = true;
          this.pool.noteClose(this);
        }
        fail(new Error(`client ${this.index}: closed during setup (code ${this.closeCode})`));
      });
      this.onConnected = (frame) => {
        this.connectedFrame = frame;
        const id = this.index + 1;
        this.waiters.set(id, (reply) => {
          if (settled) return;
          if (reply.type !== 'ack') {
            fail(new Error(`client ${this.index}: subscribe refused: ${JSON.stringify(reply)}`));
            return;
          }
          settled = true;
          clearTimeout(timer);
          this.onFail = null;
          resolve();
        });
        this.sendText(JSON.stringify({ type: 'subscribe', topic: opts.topic, id }));
      };
    });
  }

  /** @param {string} text */
  sendText(text) {
    if (this.socket && !this.closed && this.socket.writable) {
      this.socket.write(encodeClientFrame(0x1, Buffer.from(text)));
    }
  }

  /** Sends a close frame and ends the socket. */
  close() {
    if (!this.socket || this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000, 0);
    if (this.socket.writable) this.socket.end(encodeClientFrame(0x8, payload));
    else this.socket.destroy();
  }

  /**
   * Parses what just arrived. `chunk` may be the shared READ_BUFFER: it is only valid during this call.
   * @param {Buffer} chunk
   */
  onData(chunk) {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let pos = 0;
    if (!this.upgraded) {
      const end = buf.indexOf(HEADER_END);
      if (end === -1) {
        if (buf.length > 16384) this.onFail?.(new Error(`client ${this.index}: oversized HTTP response`));
        else this.pending = Buffer.from(buf);
        return;
      }
      const head = buf.toString('latin1', 0, end);
      if (!/^HTTP\/1\.1 101 /.test(head)) {
        this.onFail?.(new Error(`client ${this.index}: upgrade refused: ${head.split('\r\n')[0]}`));
        return;
      }
      const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
      if (accept !== this.expectedAccept) {
        this.onFail?.(new Error(`client ${this.index}: bad Sec-WebSocket-Accept`));
        return;
      }
      this.upgraded = true;
      pos = end + 4;
    }
    const len = buf.length;
    const pool = this.pool;
    while (pos + 2 <= len) {
      const b0 = buf[pos];
      let plen = buf[pos + 1] & 0x7f;
      let hdr = 2;
      if (plen === 126) {
        if (pos + 4 > len) break;
        plen = buf.readUInt16BE(pos + 2);
        hdr = 4;
      } else if (plen === 127) {
        if (pos + 10 > len) break;
        plen = buf.readUInt32BE(pos + 2) * 4294967296 + buf.readUInt32BE(pos + 6);
        hdr = 10;
      }
      const start = pos + hdr;
      const end = start + plen;
      if (end > len) break;
      const opcode = b0 & 0x0f;
      if (opcode === 0x1 || opcode === 0x2) {
        let isMessage = plen >= PREFIX_LEN;
        for (let i = 0; isMessage && i < PREFIX_LEN; i++) {
          if (buf[start + i] !== MESSAGE_PREFIX[i]) isMessage = false;
        }
        if (isMessage) {
          this.count++;
          pool.deliveries++;
          if (pool.jsonMode)
            pool.hooks.onDeliveryText?.(this, buf.toString('utf8', start, end), performance.now());
          else pool.hooks.onDelivery?.(this);
        } else {
          this.onControl(buf.toString('utf8', start, end));
        }
      } else if (opcode === 0x9) {
        if (this.socket?.writable) this.socket.write(encodeClientFrame(0xa, buf.subarray(start, end)));
      } else if (opcode === 0x8) {
        this.closeCode = plen >= 2 ? buf.readUInt16BE(start) : 1005;
      } else if (opcode === 0x0) {
        pool.unsupportedFrames++;
      }
      pos = end;
    }
    if (pos < len) this.pending = Buffer.from(buf.subarray(pos));
  }

  /** @param {string} text */
  onControl(text) {
    /** @type {any} */
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      this.pool.badFrames++;
      return;
    }
    if (frame?.type === 'connected') {
      const cb = this.onConnected;
      this.onConnected = null;
      cb?.(frame);
      return;
    }
    if ((frame?.type === 'ack' || frame?.type === 'error') && frame.id !== undefined) {
      const waiter = this.waiters.get(frame.id);
      if (waiter) {
        this.waiters.delete(frame.id);
        waiter(frame);
        return;
      }
    }
    if (frame?.type === 'error') this.pool.errorFrames++;
  }
}

/** A set of subscribers on one topic plus the counters every scenario reads. */
export class Pool {
  /** @param {{ jsonMode?: boolean, hooks?: PoolHooks }} [options] */
  constructor(options = {}) {
    /** @type {Conn[]} */
    this.conns = [];
    this.jsonMode = options.jsonMode ?? false;
    /** @type {PoolHooks} */
    this.hooks = options.hooks ?? {};
    this.deliveries = 0;
    /** socket reads (onread callbacks) since the last resetCounts() */
    this.reads = 0;
    this.socketErrors = 0;
    this.badFrames = 0;
    this.errorFrames = 0;
    this.unsupportedFrames = 0;
    /** @type {Map<string, number>} close code -> count, for closes after setup */
    this.closes = new Map();
    /** @type {NodeJS.Timeout | null} */
    this.heartbeat = null;
    this.closing = false;
  }

  /** @param {Conn} conn */
  noteClose(conn) {
    const key = String(conn.closeCode ?? 'no close frame');
    this.closes.set(key, (this.closes.get(key) ?? 0) + 1);
  }

  /**
   * Opens `count` subscribers, at most `batch` connecting at a time. With `ports`, subscriber i connects
   * to `ports[i % ports.length]` (an even split over a cluster's gateways); otherwise to `port`.
   * @param {{ host: string, port: number, ports?: number[], path: string, topic: string, count: number,
   *   batch: number, timeoutMs: number, deadlineMs: number }} opts
   */
  async open(opts) {
    const deadline = Date.now() + opts.deadlineMs;
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < opts.count && !failed && !this.closing) {
        if (Date.now() > deadline)
          throw new Error(`opening ${opts.count} clients took over ${opts.deadlineMs} ms`);
        const conn = new Conn(this, next++);
        this.conns.push(conn);
        try {
          const ports = opts.ports;
          await conn.open(ports?.length ? { ...opts, port: ports[conn.index % ports.length] } : opts);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    const workers = [];
    for (let i = 0; i < Math.min(opts.batch, opts.count); i++) workers.push(worker());
    await Promise.all(workers);
    this.closes.clear();
    this.startHeartbeat();
  }

  /** Sends an application ping now and then when the server announced a heartbeat interval. */
  startHeartbeat() {
    const hb = this.conns[0]?.connectedFrame?.heartbeat;
    let interval = typeof hb?.interval === 'number' && hb.interval > 0 ? hb.interval : 0;
    if (interval === 0) return;
    if (interval < 1000) interval *= 1000; // seconds rather than milliseconds
    this.heartbeat = setInterval(
      () => {
        for (const c of this.conns) c.sendText('{"type":"ping"}');
      },
      Math.max(1000, interval / 2),
    );
  }

  resetCounts() {
    this.deliveries = 0;
    this.reads = 0;
    for (const c of this.conns) c.count = 0;
  }

  /** Number of connections still open. */
  openCount() {
    let n = 0;
    for (const c of this.conns) if (!c.closed) n++;
    return n;
  }

  /**
   * Closes every connection, waiting at most `timeoutMs` before destroying the rest.
   * @param {number} [timeoutMs]
   */
  async close(timeoutMs = 3000) {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const waits = [];
    for (const c of this.conns) {
      const s = c.socket;
      if (!s || s.destroyed) continue;
      waits.push(new Promise((resolve) => s.once('close', resolve)));
      c.close();
    }
    let timer;
    await Promise.race([
      Promise.all(waits),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const c of this.conns) c.socket?.destroy();
    this.conns = [];
  }
}
