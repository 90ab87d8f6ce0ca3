import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppSettings, Persistence } from '@beacon/persistence';
import type { Router } from '@beacon/routing';

/** Where the chat demo is served (docs/chat-demo.md). */
export const CHAT_DEMO_PATH = '/demo/chat/';
/** The built demo of this checkout (apps/chat-demo/dist), unless BEACON_CHAT_DEMO_DIR says otherwise. */
export const DEFAULT_CHAT_DEMO_DIR = fileURLToPath(new URL('../../chat-demo/dist', import.meta.url));

/** The demo's rooms; their topics are `chat/<room>`. */
export const CHAT_ROOMS = ['general', 'random', 'help'] as const;
/** The pattern of the demo's topics: token claims, presence and history of the development app. */
export const CHAT_PATTERN = 'chat/*';
/** History kept per room when the demo sets it: the last 100 messages for an hour. */
export const CHAT_HISTORY = { pattern: CHAT_PATTERN, size: 100, ttlSec: 3600 } as const;
/** A demo token lives 10 minutes (the SDK asks for a new one before it expires). */
export const CHAT_TOKEN_TTL_SEC = 600;
/** Token requests per client address: a burst of 10, then one every 6 s. */
export const CHAT_TOKEN_RATE = { burst: 10, perSec: 1 / 6 } as const;
/** Messages the page loads from a room's history on entering it. */
export const CHAT_HISTORY_LIMIT = 50;

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,23}$/u;
const COLOUR = /^#[0-9a-fA-F]{6}$/;

export interface ChatDemoInput {
  persistence: Persistence;
  router: Router;
  /** The development app's key. */
  appKey: string;
  distDir: string;
  now?: () => number;
}

/**
 * Gives the development app presence and history on the demo's rooms, only when the operator set neither
 * (an app with any presence pattern or history rule of its own is left as it is). Returns what it did.
 */
export async function ensureChatSettings(
  persistence: Persistence,
  appKey: string,
): Promise<'set' | 'present' | 'operator'> {
  const app = await persistence.apps.findByKey(appKey);
  if (app === null) return 'operator';
  const settings: AppSettings = app.settings;
  const hasPresence = settings.presence.includes(CHAT_PATTERN);
  const hasHistory = settings.history.some((h) => h.pattern === CHAT_PATTERN);
  if (hasPresence && hasHistory) return 'present';
  if (settings.presence.length > 0 || settings.history.length > 0) return 'operator';
  await persistence.apps.updateSettings(appKey, { presence: [CHAT_PATTERN], history: [{ ...CHAT_HISTORY }] });
  return 'set';
}

/** A token bucket per client address; idle buckets are forgotten. */
class AddressLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly now: () => number) {}

  /** Takes one token; returns 0 when allowed, else the seconds until the next one. */
  take(address: string): number {
    const t = this.now();
    if (this.buckets.size > 10_000) this.prune(t);
    const b = this.buckets.get(address) ?? { tokens: CHAT_TOKEN_RATE.burst, at: t };
    b.tokens = Math.min(CHAT_TOKEN_RATE.burst, b.tokens + ((t - b.at) / 1000) * CHAT_TOKEN_RATE.perSec);
    b.at = t;
    this.buckets.set(address, b);
    if (b.tokens < 1) return Math.ceil((1 - b.tokens) / CHAT_TOKEN_RATE.perSec);
    b.tokens -= 1;
    return 0;
  }

  private prune(t: number): void {
    const full = (CHAT_TOKEN_RATE.burst / CHAT_TOKEN_RATE.perSec) * 1000;
    for (const [k, b] of this.buckets) if (t - b.at > full) this.buckets.delete(k);
  }
}

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

/** Validates the token request body: `{ name, colour }`. Returns the problem, or the values. */
export function chatIdentity(body: unknown): { name: string; colour: string } | string {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object {name, colour}';
  const { name, colour } = body as Record<string, unknown>;
  if (typeof name !== 'string') return 'name: a string is required';
  const trimmed = name.trim();
  if (!NAME.test(trimmed))
    return 'name: 1-24 letters, digits, spaces, . _ or -, starting with a letter or digit';
  if (typeof colour !== 'string' || !COLOUR.test(colour)) return 'colour: a colour as #rrggbb';
  return { name: trimmed, colour: colour.toLowerCase() };
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * Serves the chat demo: the page at /demo/chat/, `POST /demo/chat/token` (a short-lived client token for
 * the development app) and `GET /demo/chat/history?room=` (a room's last messages). Call before `listen`.
 */
export async function serveChatDemo(fastify: FastifyInstance, input: ChatDemoInput): Promise<void> {
  const now = input.now ?? Date.now;
  const limiter = new AddressLimiter(now);
  await fastify.register(async (scope) => {
    scope.get('/demo/chat', (_req, reply) => reply.redirect(CHAT_DEMO_PATH, 302));

    scope.post('/demo/chat/token', { bodyLimit: 1024 }, async (req, reply) => {
      const wait = limiter.take(req.ip);
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        return fail(reply, 429, 'rate_limited', `too many token requests; retry in ${wait} s`);
      }
      const identity = chatIdentity(req.body);
      if (typeof identity === 'string') return fail(reply, 400, 'invalid_request', identity);
      const app = await input.persistence.apps.findByKey(input.appKey);
      const key = app?.tokenKeys.find((k) => k.alg === 'HS256');
      if (app === null || !app.enabled || key === undefined)
        return fail(
          reply,
          503,
          'unavailable',
          'the development app is gone, disabled or has no HS256 token key the demo can sign with',
        );
      const iat = Math.floor(now() / 1000);
      const ttl = Math.min(CHAT_TOKEN_TTL_SEC, app.settings.maxTokenLifetimeSec);
      const claims = {
        sub: `chat-${randomBytes(6).toString('hex')}`,
        iat,
        exp: iat + ttl,
        info: identity,
        subscribe: [CHAT_PATTERN],
        publish: [CHAT_PATTERN],
      };
      const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }))}.${base64url(JSON.stringify(claims))}`;
      const signature = createHmac('sha256', key.key.export()).update(head).digest('base64url');
      void reply.header('cache-control', 'no-store');
      return {
        token: `${head}.${signature}`,
        app: app.key,
        userId: claims.sub,
        expiresAt: claims.exp,
        rooms: CHAT_ROOMS,
        clientPublish: app.settings.clientPublish,
      };
    });

    scope.get('/demo/chat/history', async (req, reply) => {
      const room = (req.query as Record<string, unknown>)['room'];
      if (typeof room !== 'string' || !(CHAT_ROOMS as readonly string[]).includes(room))
        return fail(reply, 400, 'invalid_request', `room: one of ${CHAT_ROOMS.join(', ')}`);
      const app = await input.persistence.apps.findByKey(input.appKey);
      if (app === null) return fail(reply, 503, 'unavailable', 'the development app is gone');
      if (!app.settings.history.some((h) => h.pattern === CHAT_PATTERN))
        return { messages: [], history: false };
      const read = await input.router.history(app.id, `chat/${room}`, { limit: CHAT_HISTORY_LIMIT });
      void reply.header('cache-control', 'no-store');
      return {
        history: true,
        epoch: read.position.epoch,
        messages: read.messages.map((m) => ({
          offset: m.offset,
          id: m.id,
          ts: m.ts,
          data: JSON.parse(m.dataJson) as unknown,
        })),
      };
    });

    if (!existsSync(join(input.distDir, 'index.html'))) {
      scope.get('/demo/chat/', (_req, reply) =>
        reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`The chat demo is not built: run npm run build:chat-demo (looked in ${input.distDir}).\n`),
      );
      return;
    }
    const assets = `${join(input.distDir, 'assets')}${sep}`;
    await scope.register(fastifyStatic, {
      root: input.distDir,
      prefix: CHAT_DEMO_PATH,
      index: ['index.html'],
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader(
          'cache-control',
          path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  });
}
