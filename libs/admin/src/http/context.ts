import type { AdminRouteName, AdminRoutes } from '@beacon/admin-api';
import type { z } from 'zod';
import type { SignedIn } from '../sessions.js';
import type { Actor } from '../use-cases.js';
import type { SseStream } from './sse.js';

/** What a call's audit record says beyond the route's action; `done` once a use case has audited it. */
export interface CallAudit {
  target: string | null;
  appId: string | null;
  done: boolean;
}

type QueryOf<R> = R extends { query: infer Q extends z.ZodType } ? z.output<Q> : undefined;
type BodyOf<R> = R extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;
type OutputOf<R> = R extends { response: infer S } ? (S extends z.ZodType ? z.input<S> : undefined) : never;

/** One call as a handler sees it: validated input, the signed-in operator (null on public routes). */
export interface CallContext<R = unknown> {
  params: Record<string, string>;
  query: QueryOf<R>;
  body: BodyOf<R>;
  signedIn: SignedIn | null;
  actor: Actor;
  remoteAddr: string;
  userAgent: string | null;
  audit: CallAudit;
  /** Sets a response header (the session cookie). */
  header(name: string, value: string): void;
  /** Whether the request came over https (directly or per X-Forwarded-Proto). */
  https: boolean;
}

/** A stream handler checks its input, then returns what runs once the stream is open. */
export type StreamStart = (stream: SseStream) => void;

/**
 * One handler per route of ADMIN_ROUTES, typed by it: a route without a handler, a handler without a
 * route, or an answer outside the route's schema is a compile error (and handlers.spec.ts checks it at
 * run time).
 */
export type AdminHandlers = {
  [N in AdminRouteName]: AdminRoutes[N] extends { kind: 'sse' }
    ? (ctx: CallContext<AdminRoutes[N]>) => Promise<StreamStart>
    : (ctx: CallContext<AdminRoutes[N]>) => Promise<OutputOf<AdminRoutes[N]>>;
};
