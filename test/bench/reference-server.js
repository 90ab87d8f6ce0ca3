/**
 * Reference server for the benchmark: does nothing but fan out, with the `ws` package.
 *
 * Speaks the same subset of Beacon's protocol the bench uses:
 *   - WebSocket at ws://127.0.0.1:PORT/ws?app=... (perMessageDeflate off); sends {"type":"connected",...}
 *     first, answers {"type":"subscribe","topic":"t","id":1} with {"type":"ack","id":1,"topics":["t"]}.
 *   - POST /v1/publish {"topic":"t","data":...} -> 200 {"id":"...","ts":...}; builds
 *     {"type":"message","topic":"t","data":...,"id":"...","ts":...} once, frames it once with
 *     ws's Sender.frame into one Buffer, and writes that Buffer to every subscriber's net.Socket.
 *   - GET /readyz -> 200.
 *   - `Authorization: Bearer <REF_SECRET>` checked on POST /v1/publish (401 otherwise), when REF_SECRET is set.
 *   - with REF_GRPC_PORT: a bare grpc-js server with beacon.push.v1.PushService/Publish (push.proto): checks
 *     the `authorization` metadata, parses `data_json`, fans out like the REST publish, answers {id, ts}.
 * With no subscriber on the topic a publish does nothing but answer: the `rest` and `grpc` scenarios measure
 * "parse the body, check the header, answer a receipt".
 * Prints `listening on http://127.0.0.1:<port>` once listening. Port from REF_PORT (default 0).
 *
 * Run: node test/bench/reference-server.js
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Sender, WebSocketServer } from 'ws';
import { pushPackage } from './lib/grpc-proto.js';

const port = Number(process.env.REF_PORT ?? 0);
const MAX_BODY = 1024 * 1024;
const secret = process.env.REF_SECRET;
const bearer = secret === undefined ? undefined : `Bearer ${secret}`;

/** @type {Map<string, Set<import('node:net').Socket>>} */
const topics = new Map();
const idPrefix = randomBytes(4).toString('hex');
let seq = 0;

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} body
 */
function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * @param {string} topic
 * @param {unknown} data
 */
function publish(topic, data) {
  const id = `${idPrefix}-${++seq}`;
  const ts = Date.now();
  const subs = topics.get(topic);
  if (subs) {
    const text = `{"type":"message","topic":${JSON.stringify(topic)},"data":${JSON.stringify(data)},"id":"${id}","ts":${ts}}`;
    const frame = Buffer.concat(
      Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
    );
    for (const socket of subs) {
      if (socket.writable) socket.write(frame);
    }
  }
  return { id, ts };
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/readyz' || req.url === '/healthz')) {
    reply(res, 200, '{"status":"ok"}');
    return;
  }
  if (req.method === 'POST' && req.url === '/v1/publish') {
    if (bearer !== undefined && req.headers.authorization !== bearer) {
      reply(res, 401, '{"error":"unauthorized"}');
      req.resume();
      return;
    }
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      /** @type {any} */
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(res, 400, '{"error":"bad_request","message":"body is not JSON"}');
        return;
      }
      if (typeof body?.topic !== 'string' || !('data' in body)) {
        reply(res, 400, '{"error":"bad_request","message":"needs topic and data"}');
        return;
      }
      reply(res, 200, JSON.stringify(publish(body.topic, body.data)));
    });
    return;
  }
  reply(res, 404, '{"error":"not_found"}');
});

const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, clientTracking: false });
let clientSeq = 0;

wss.on('connection', (ws, req) => {
  const socket = req.socket;
  /** @type {Set<string>} */
  const mine = new Set();
  ws.send(
    JSON.stringify({
      type: 'connected',
      clientId: `ref-${++clientSeq}`,
      userId: null,
      node: 'reference',
      heartbeat: { interval: 25000, timeout: 60000 },
      limits: { maxFrameBytes: 65536, maxTopics: 100, maxTopicLength: 128, publishRate: 0, publishBurst: 0 },
    }),
  );
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;
    /** @type {any} */
    let frame;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      ws.send('{"type":"error","code":"bad_frame","message":"frame is not valid JSON"}');
      return;
    }
    const list = Array.isArray(frame?.topics)
      ? frame.topics
      : typeof frame?.topic === 'string'
        ? [frame.topic]
        : [];
    if (frame?.type === 'subscribe' || frame?.type === 'unsubscribe') {
      for (const t of list) {
        if (frame.type === 'subscribe') {
          let set = topics.get(t);
          if (!set) topics.set(t, (set = new Set()));
          set.add(socket);
          mine.add(t);
        } else {
          topics.get(t)?.delete(socket);
          mine.delete(t);
        }
      }
      if (frame.id !== undefined) ws.send(JSON.stringify({ type: 'ack', id: frame.id, topics: list }));
    } else if (frame?.type === 'ping') {
      ws.send(
        JSON.stringify(
          frame.id === undefined
            ? { type: 'pong', ts: Date.now() }
            : { type: 'pong', id: frame.id, ts: Date.now() },
        ),
      );
    }
  });
  ws.on('close', () => {
    for (const t of mine) {
      const set = topics.get(t);
      set?.delete(socket);
      if (set?.size === 0) topics.delete(t);
    }
  });
  ws.on('error', () => {});
});

server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  console.log(`reference server listening on http://127.0.0.1:${actual}`);
});

const grpcPort = process.env.REF_GRPC_PORT;
if (grpcPort !== undefined) {
  const grpcServer = new grpc.Server();
  grpcServer.addService(pushPackage().PushService.service, {
    /** @param {any} call @param {(err: any, reply?: any) => void} cb */
    Publish(call, cb) {
      const auth = call.metadata.get('authorization');
      if (bearer !== undefined && (auth.length !== 1 || auth[0] !== bearer)) {
        cb({ code: grpc.status.UNAUTHENTICATED, details: 'no app has this secret' });
        return;
      }
      /** @type {unknown} */
      let data;
      try {
        data = JSON.parse(call.request.dataJson);
      } catch {
        cb({ code: grpc.status.INVALID_ARGUMENT, details: 'data_json: not valid JSON' });
        return;
      }
      /** @type {{ id: string, ts: number }} */
      let receipt = { id: '', ts: 0 };
      for (const t of call.request.topics) receipt = publish(t, data);
      cb(null, receipt);
    },
  });
  grpcServer.bindAsync(`127.0.0.1:${grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    console.log(`reference gRPC listening on 127.0.0.1:${bound}`);
  });
}

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
// Do not outlive the bench if it dies without killing us (SIGKILL, crash).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
