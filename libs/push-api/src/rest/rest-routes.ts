import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiApp, AuditSink } from '../ports.js';
import { toProblem, type PushApiException } from '../push-api.exception.js';
import { ROUTES, type RouteSpec } from '../routes.js';
import { restHandlers } from './handlers.js';
import { parseJsonBody } from './json-body.js';
import { installFrontHandler, publishFrontHandler } from './publish-front.js';
import { RequestTiming } from '../request-timing.js';
import { auditCall, authenticate, normalise, type CallState, type RestDeps } from './rest-call.js';

declare module 'fastify' {
  interface FastifyRequest {
    beacon: CallState | null;
  }
  interface FastifyContextConfig {
    route?: RouteSpec;
  }
}

/**
 * Registers the REST push API v1 straight on Fastify, one route per entry of ROUTES, each calling its
 * transport-free handler (handlers.ts). No Nest guards, pipes, interceptors or filters per request:
 * measured, they cost more than everything else a publish does (docs/benchmarks.md#rest-and-grpc).
 *
 * Per request: authenticate (`onRequest`, before the body is read, so an unauthenticated caller cannot
 * make the server read or parse a body), parse the body (json-body.ts), run the handler, answer JSON or an
 * RFC 9457 problem (every failure, Fastify's parser refusals included), and audit it (`onResponse`).
 * The plain case of `POST /v1/publish` is taken before Fastify by a node:http handler that does the same
 * (publish-front.ts); unless `front: false`.
 */
export async function registerRestRoutes(
  fastify: FastifyInstance,
  deps: RestDeps,
  opts: { front?: boolean } = {},
): Promise<void> {
  const handlers = restHandlers(deps.router, deps.options);
  const bodyLimit = deps.options.maxMessageBytes + 16 * 1024;
  if (opts.front !== false) {
    let closing = false;
    fastify.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    installFrontHandler(
      fastify.server,
      publishFrontHandler(deps, handlers.publish, bodyLimit, () => closing),
    );
  }
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
      await authenticate(deps.auth, req.headers.authorization, state);
    });

    api.setErrorHandler((err: FastifyError | PushApiException, req, reply) => {
      const problem = toProblem(normalise(err, deps.logError));
      if (req.beacon !== null) req.beacon.code = problem.code;
      void reply.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    });

    api.addHook('onResponse', (req, reply, done) => {
      audit(deps.audit, req, reply);
      const route = req.routeOptions.config.route;
      if (route !== undefined)
        deps.timing.observe(
          'rest',
          route.action,
          RequestTiming.ofStatus(reply.statusCode),
          reply.elapsedTime,
        );
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

/** One audit entry per call (Fastify's side; the publish front handler calls auditCall itself). */
function audit(sink: AuditSink, req: FastifyRequest, reply: FastifyReply): void {
  const state = req.beacon;
  const route = req.routeOptions.config.route;
  if (state === null || route === undefined) return;
  auditCall(sink, route, state, reply.statusCode, req.socket.remoteAddress);
}
