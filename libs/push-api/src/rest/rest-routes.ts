import type { Router } from '@beacon/routing';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiApp, AppAuthenticator, AuditSink, PushApiOptions } from '../ports.js';
import { PushApiException, toProblem, type PushApiErrorCode } from '../push-api.exception.js';
import { ROUTES, type RouteSpec } from '../routes.js';
import { restHandlers } from './handlers.js';
import { parseJsonBody } from './json-body.js';

export interface RestDeps {
  router: Router;
  auth: AppAuthenticator;
  audit: AuditSink;
  options: PushApiOptions;
  /** Where bugs (never client errors) are reported. */
  logError: (message: string) => void;
}

/** Per-request state: the app once authenticated, the audit target, the problem code of a refusal. */
interface CallState {
  app: ApiApp | undefined;
  audit: { target: string | null };
  code: PushApiErrorCode | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    beacon: CallState | null;
  }
  interface FastifyContextConfig {
    route?: RouteSpec;
  }
}

const BEARER = /^Bearer ([^\s]{1,512})$/;

/** Fastify's own refusals, as push API codes. */
const FASTIFY_CODES: Record<string, PushApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
};
const BY_STATUS: Record<number, PushApiErrorCode> = {
  400: 'invalid_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Registers the REST push API v1 straight on Fastify, one route per entry of ROUTES, each calling its
 * transport-free handler (handlers.ts). No Nest guards, pipes, interceptors or filters per request:
 * measured, they cost more than everything else a publish does (docs/benchmarks.md#rest-and-grpc).
 *
 * Per request: authenticate (`onRequest`, before the body is read, so an unauthenticated caller cannot
 * make the server read or parse a body), parse the body (json-body.ts), run the handler, answer JSON or an
 * RFC 9457 problem (every failure, Fastify's parser refusals included), and audit it (`onResponse`).
 */
export async function registerRestRoutes(fastify: FastifyInstance, deps: RestDeps): Promise<void> {
  const handlers = restHandlers(deps.router, deps.options);
  const bodyLimit = deps.options.maxMessageBytes + 16 * 1024;
  await fastify.register(async (api) => {
    api.decorateRequest('beacon', null);
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (req, body, done) => {
      try {
        done(null, parseJsonBody(req.headers['content-type'], body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    api.addHook('onRequest', async (req) => {
      const state: CallState = { app: undefined, audit: { target: null }, code: undefined };
      req.beacon = state;
      const match = BEARER.exec(req.headers.authorization ?? '');
      if (match === null)
        throw new PushApiException('missing_credentials', 'send "Authorization: Bearer <app secret>"');
      const result = await deps.auth.authenticateSecret(match[1] as string);
      state.app = result.app;
      if (result.ok) return;
      if (result.reason === 'disabled') throw new PushApiException('app_disabled', 'this app is disabled');
      if (result.reason === 'revoked')
        throw new PushApiException('key_revoked', 'this secret was rotated out');
      throw new PushApiException('invalid_key', 'no app has this secret');
    });

    api.setErrorHandler((err: FastifyError | PushApiException, req, reply) => {
      const problem = toProblem(normalise(err, deps.logError));
      if (req.beacon !== null) req.beacon.code = problem.code;
      void reply.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    });

    api.addHook('onResponse', (req, reply, done) => {
      audit(deps.audit, req, reply);
      done();
    });

    for (const route of ROUTES) {
      const handler = handlers[route.action];
      api.route({
        method: route.method,
        url: route.path,
        bodyLimit,
        config: { route },
        handler: (req: FastifyRequest) => {
          const state = req.beacon as CallState;
          return handler({
            app: state.app as ApiApp,
            params: req.params as Record<string, string | undefined>,
            query: req.query,
            body: req.body,
            audit: state.audit,
          });
        },
      });
    }
  });
}

function normalise(err: FastifyError | PushApiException, logError: (m: string) => void): PushApiException {
  if (err instanceof PushApiException) return err;
  const code =
    FASTIFY_CODES[err.code] ?? (err.statusCode === undefined ? undefined : BY_STATUS[err.statusCode]);
  if (code !== undefined) return new PushApiException(code, fastifyDetail(code));
  // A bug, not a client error: its stack names code, never request content.
  logError(err.stack ?? err.name);
  return new PushApiException('internal', 'internal error');
}

function fastifyDetail(code: PushApiErrorCode): string {
  if (code === 'payload_too_large') return 'request body too large';
  if (code === 'unsupported_media_type') return 'send the body as application/json (UTF-8)';
  return 'malformed request body';
}

/** One audit entry per call: refusals through `refusal`, successes by the route's kind (routes.ts). */
function audit(sink: AuditSink, req: FastifyRequest, reply: FastifyReply): void {
  const state = req.beacon;
  const route = req.routeOptions.config.route;
  if (state === null || route === undefined) return;
  const app = state.app;
  const status = reply.statusCode;
  const entry = {
    actor: app === undefined ? 'unauthenticated' : `app:${app.key}`,
    appId: app?.id ?? null,
    action: route.action,
    target: state.audit.target,
    result: state.code === undefined ? String(status) : `${status} ${state.code}`,
    remoteAddr: req.socket.remoteAddress ?? null,
  };
  if (status >= 400) sink.refusal(entry);
  else if (route.audit === 'tally') sink.tally(entry);
  else sink.record(entry);
}
