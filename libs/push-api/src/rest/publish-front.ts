import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyError } from 'fastify';
import type { ApiApp } from '../ports.js';
import { PushApiException, toProblem } from '../push-api.exception.js';
import { ROUTES, type RouteSpec } from '../routes.js';
import type { RestHandler } from './handlers.js';
import { parseJsonBody } from './json-body.js';
import { RequestTiming } from '../request-timing.js';
import { auditCall, authenticate, normalise, type CallState, type RestDeps } from './rest-call.js';

/** A handler in front of the server's own: true when it took the request, false to pass it on. */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Puts `front` before the server's 'request' listeners (Fastify's): what it declines reaches them
 * unchanged, in the same turn.
 */
export function installFrontHandler(server: Server, front: FrontHandler): void {
  const behind = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  const [only] = behind;
  server.on(
    'request',
    behind.length === 1 && only !== undefined
      ? (req: IncomingMessage, res: ServerResponse) => {
          if (!front(req, res)) only.call(server, req, res);
        }
      : (req: IncomingMessage, res: ServerResponse) => {
          if (front(req, res)) return;
          for (const listener of behind) listener.call(server, req, res);
        },
  );
}

const PUBLISH = ROUTES.find((r) => r.action === 'publish') as RouteSpec;
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const NO_PARAMS: Readonly<Record<string, string | undefined>> = Object.freeze({});

/**
 * `POST /v1/publish` straight on node:http, in front of Fastify: the hottest route of the push API, for
 * which Fastify's request path (routing, request and reply objects, hooks, the body parser's stream
 * events, Nest's adapter hooks) cost more than the publish itself (docs/benchmarks.md#rest-and-grpc).
 *
 * It takes only the plain case: exactly that method and path, a body with a Content-Length within the
 * route's limit, `Content-Type: application/json` (optionally with parameters), and the server not
 * closing. Everything else (a query string, chunked bodies, oversize or other media types, shutdown) goes
 * to the Fastify route, which answers it as before. What it takes it answers exactly like that route: the
 * same order (authenticate before reading the body), the same handler (handlers.ts), the same problem
 * bodies and headers (a body the parser refuses also closes the connection, as Fastify does), and one
 * audit entry per call through the same auditCall.
 */
export function publishFrontHandler(
  deps: RestDeps,
  publish: RestHandler,
  bodyLimit: number,
  isClosing: () => boolean,
): FrontHandler {
  const onBug = (err: unknown): void => deps.logError(err instanceof Error ? (err.stack ?? err.name) : 'bug');
  return (req, res) => {
    if (req.url !== PUBLISH.path || req.method !== 'POST' || isClosing()) return false;
    const headers = req.headers;
    const type = headers['content-type'];
    if (type === undefined || headers['transfer-encoding'] !== undefined || !isJsonType(type)) return false;
    if (!(Number(headers['content-length']) <= bodyLimit)) return false;
    servePublish(deps, publish, req, res, type).catch(onBug);
    return true;
  };
}

/** `application/json` exactly as clients send it, with or without parameters (charset is json-body.ts's). */
function isJsonType(type: string): boolean {
  return type.length === 16 ? type === 'application/json' : type.startsWith('application/json;');
}

async function servePublish(
  deps: RestDeps,
  publish: RestHandler,
  req: IncomingMessage,
  res: ServerResponse,
  type: string,
): Promise<void> {
  const started = performance.now();
  const state: CallState = { app: undefined, audit: { target: null }, code: undefined };
  let status = 200;
  let closeAfter = false;
  try {
    await authenticate(deps.auth, req.headers.authorization, state);
    const text = await readBody(req);
    let body: unknown;
    try {
      body = parseJsonBody(type, text);
    } catch (err) {
      closeAfter = true;
      throw err;
    }
    const receipt = await publish({
      app: state.app as ApiApp,
      params: NO_PARAMS,
      query: {},
      body,
      audit: state.audit,
    });
    send(res, 200, JSON_TYPE, JSON.stringify(receipt), false);
  } catch (err) {
    const problem = toProblem(normalise(err as FastifyError | PushApiException, deps.logError));
    state.code = problem.code;
    status = problem.status;
    send(res, status, PROBLEM_TYPE, JSON.stringify(problem), closeAfter);
  }
  auditCall(deps.audit, PUBLISH, state, status, req.socket.remoteAddress);
  deps.timing.observe('rest', 'publish', RequestTiming.ofStatus(status), performance.now() - started);
}

function send(res: ServerResponse, status: number, type: string, body: string, close: boolean): void {
  const length = String(Buffer.byteLength(body));
  res.writeHead(
    status,
    close
      ? ['connection', 'close', 'content-type', type, 'content-length', length]
      : ['content-type', type, 'content-length', length],
  );
  res.end(body);
}

/** A stream error while reading the body: 400, as Fastify's body parser answers it. */
class BodyReadError extends Error {
  readonly statusCode = 400;
}

/**
 * The whole body as UTF-8 text. A small request usually arrives whole with its headers, so by the time
 * authentication has settled it is already buffered: taken in one read, without stream listeners.
 */
function readBody(req: IncomingMessage): string | Promise<string> {
  if (req.complete) {
    const all = req.read() as Buffer | null;
    return all === null ? '' : all.toString('utf8');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => void chunks.push(chunk);
    const onEnd = (): void => {
      done();
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    };
    const onError = (err: Error): void => {
      done();
      reject(new BodyReadError(err.message));
    };
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
