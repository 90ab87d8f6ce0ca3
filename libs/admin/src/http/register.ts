import { ADMIN_PREFIX, ADMIN_ROUTES, type AdminRoute, type AdminRouteName } from '@beacon/admin-api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AdminException, toAdminException, toProblem } from '../admin.exception.js';
import { operatorActor } from '../use-cases.js';
import type { SignedIn } from '../sessions.js';
import type { CallContext, StreamStart } from './context.js';
import { cookieValue, SESSION_COOKIE } from './cookies.js';
import { adminHandlers, type AdminServices } from './handlers.js';
import { openApiDocument } from './openapi.js';
import { SseStream } from './sse.js';

/** Largest admin API request body. */
export const ADMIN_BODY_LIMIT = 64 * 1024;

interface AdminCall {
  name: AdminRouteName;
  route: AdminRoute;
  signedIn: SignedIn | null;
  ctx: CallContext | null;
  code: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    adminCall: AdminCall | null;
  }
}

const FASTIFY_CODES: Record<string, ConstructorParameters<typeof AdminException>[0]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
};

/**
 * Registers the admin API on Fastify, one route per entry of ADMIN_ROUTES (plus GET /admin/v1/openapi.json,
 * generated from the same table). Per call: refuse a foreign Origin on mutations; authenticate the session
 * cookie and check the role (`onRequest`, before any body is read); validate query and body with the
 * route's zod schemas; run the handler; check the answer against the route's schema; answer JSON, a
 * server-sent-events stream, or an RFC 9457 problem; audit routes that name an action.
 * The push API's `Authorization: Bearer` secrets mean nothing here: only the session cookie opens it.
 */
export async function registerAdminRoutes(
  fastify: FastifyInstance,
  services: AdminServices,
  logError: (message: string) => void,
): Promise<void> {
  const handlers = adminHandlers(services);
  const openapi = openApiDocument('1.0.0');
  await fastify.register(
    async (api) => {
      api.decorateRequest('adminCall', null);
      api.removeAllContentTypeParsers();
      api.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: ADMIN_BODY_LIMIT },
        (_req, body, done) => {
          const text = body as string;
          if (text.trim() === '') return done(null, undefined);
          try {
            done(null, JSON.parse(text) as unknown);
          } catch {
            done(new AdminException('invalid_request', 'the body is not valid JSON'), undefined);
          }
        },
      );

      api.setErrorHandler((err: FastifyError | AdminException, req, reply) => {
        const e = normalise(err, logError);
        if (req.adminCall !== null) {
          req.adminCall.code = e.code;
          audit(services, req, `${e.status} ${e.code}`);
        }
        sendProblem(reply, e);
      });
      api.setNotFoundHandler((req, reply) => {
        sendProblem(
          reply,
          new AdminException('not_found', `no route ${req.method} ${req.url.split('?')[0]}`),
        );
      });

      api.get('/openapi.json', async (_req, reply) => {
        void reply.header('cache-control', 'no-store');
        return openapi;
      });

      for (const [name, route] of Object.entries(ADMIN_ROUTES) as Array<[AdminRouteName, AdminRoute]>) {
        api.route({
          method: route.method,
          url: route.path.slice(ADMIN_PREFIX.length),
          bodyLimit: ADMIN_BODY_LIMIT,
          onRequest: async (req) => {
            req.adminCall = { name, route, signedIn: null, ctx: null, code: undefined };
            if (route.method !== 'GET') checkOrigin(req, services.settings.allowedOrigins);
            if (route.role === 'public') return;
            const signedIn = await services.sessions.authenticate(
              cookieValue(req.headers.cookie, SESSION_COOKIE),
            );
            if (signedIn === null)
              throw new AdminException(
                'unauthenticated',
                'sign in first (the session is missing or has expired)',
              );
            req.adminCall.signedIn = signedIn;
            if (route.role === 'admin' && signedIn.operator.role !== 'admin')
              throw new AdminException('forbidden', 'viewers cannot change anything');
          },
          handler: async (req, reply) => {
            const call = req.adminCall as AdminCall;
            const ctx = contextOf(req, reply, call);
            call.ctx = ctx;
            ctx.query = parse('query' in route ? route.query : undefined, req.query ?? {}, 'query') as never;
            ctx.body = parse('body' in route ? route.body : undefined, req.body, 'body') as never;
            const handler = handlers[name] as (c: CallContext) => Promise<unknown>;
            if (route.kind === 'sse') {
              const start = (await handler(ctx)) as StreamStart;
              void reply.hijack();
              const stream = new SseStream(reply.raw);
              start(stream);
              return;
            }
            const result = await handler(ctx);
            audit(services, req, 'ok');
            void reply.header('cache-control', 'no-store');
            if (route.response === null) return reply.code(204).send();
            const checked = route.response.safeParse(result);
            if (!checked.success) {
              logError(
                `admin ${name} answered outside the contract: ${JSON.stringify(checked.error.issues.slice(0, 3))}`,
              );
              throw new AdminException('internal', 'internal error');
            }
            return reply.type('application/json').send(JSON.stringify(result));
          },
        });
      }
    },
    { prefix: ADMIN_PREFIX },
  );
}

function contextOf(req: FastifyRequest, reply: FastifyReply, call: AdminCall): CallContext {
  const remoteAddr = req.ip ?? req.socket.remoteAddress ?? '';
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    ?.trim();
  return {
    params: (req.params ?? {}) as Record<string, string>,
    query: undefined,
    body: undefined,
    get signedIn() {
      return call.signedIn;
    },
    set signedIn(v: SignedIn | null) {
      call.signedIn = v;
    },
    get actor() {
      return operatorActor(call.signedIn?.operator.email ?? 'unknown', remoteAddr);
    },
    remoteAddr,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    audit: { target: null, appId: null, done: false },
    header: (name, value) => void reply.header(name, value),
    https: req.protocol === 'https' || forwarded === 'https',
  };
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'query' | 'body'): unknown {
  if (schema === undefined) {
    if (where === 'body' && value !== undefined)
      throw new AdminException('invalid_request', 'this route takes no body');
    return undefined;
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new AdminException('invalid_request', `the ${where} does not match the API`, {
    errors: r.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/**
 * A mutation must come from the platform's own origin (or one of BEACON_ADMIN_ORIGINS). Browsers send
 * Origin on every cross-origin request and on same-origin non-GET fetches; a request without one (curl, a
 * script) carries no ambient browser credentials to abuse, and the cookie is SameSite=Strict anyway.
 */
function checkOrigin(req: FastifyRequest, allowed: readonly string[]): void {
  const origin = req.headers.origin;
  if (origin === undefined) {
    if (req.headers['sec-fetch-site'] === 'cross-site')
      throw new AdminException('foreign_origin', 'cross-site requests are refused');
    return;
  }
  const host = req.headers.host;
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return;
  if (allowed.includes(origin)) return;
  throw new AdminException('foreign_origin', `requests from ${origin.slice(0, 200)} are refused`);
}

function normalise(err: FastifyError | AdminException, logError: (m: string) => void): AdminException {
  if (err instanceof AdminException) return err;
  const code = FASTIFY_CODES[(err as FastifyError).code];
  if (code !== undefined) return new AdminException(code);
  const mapped = toAdminException(err);
  if (mapped.code === 'internal') logError(err instanceof Error ? (err.stack ?? err.name) : String(err));
  return mapped;
}

function sendProblem(reply: FastifyReply, e: AdminException): void {
  const problem = toProblem(e);
  if (e.code === 'rate_limited') void reply.header('retry-after', String(problem.retryAfter ?? 60));
  void reply
    .code(problem.status)
    .header('cache-control', 'no-store')
    .type('application/problem+json')
    .send(JSON.stringify(problem));
}

/**
 * One audit record per call of a route that names an action, unless its use case wrote it (then it has).
 * Refusals (sign-in failures included) go through `refusal`: the first in a window is written at once,
 * repeats are counted, so a flood of bad attempts cannot flood the log.
 */
function audit(services: AdminServices, req: FastifyRequest, result: string): void {
  const call = req.adminCall;
  if (call === null || call.route.kind !== 'json' || call.route.audit === undefined) return;
  const ctx = call.ctx;
  if (ctx?.audit.done === true) return;
  const email = call.signedIn?.operator.email ?? (call.name === 'signIn' ? emailOf(req.body) : undefined);
  const entry = {
    actor: email === undefined ? 'unauthenticated' : `operator:${email}`,
    appId: ctx?.audit.appId ?? null,
    action: call.route.audit,
    target: ctx?.audit.target ?? null,
    result,
    remoteAddr: req.ip ?? null,
  };
  if (result === 'ok') services.store.audit.record(entry);
  else services.store.audit.refusal(entry);
}

function emailOf(body: unknown): string | undefined {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : undefined;
}
