import type { FastifyError } from 'fastify';
import type { Router } from '@beacon/routing';
import type { ApiApp, AppAuthenticator, AuditSink, PushApiOptions } from '../ports.js';
import { PushApiException, type PushApiErrorCode } from '../push-api.exception.js';
import type { RequestTiming } from '../request-timing.js';
import type { RouteSpec } from '../routes.js';

/** What one REST call needs whichever way it arrives (Fastify's route, or the publish front handler). */

export interface RestDeps {
  router: Router;
  auth: AppAuthenticator;
  audit: AuditSink;
  options: PushApiOptions;
  /** Where bugs (never client errors) are reported. */
  logError: (message: string) => void;
  /** Each call's duration, for /metrics. */
  timing: Pick<RequestTiming, 'observe'>;
}

/** Per-request state: the app once authenticated, the audit target, the problem code of a refusal. */
export interface CallState {
  app: ApiApp | undefined;
  audit: { target: string | null };
  code: PushApiErrorCode | undefined;
}

const BEARER = /^Bearer ([^\s]{1,512})$/;

/**
 * Checks `Authorization: Bearer <app secret>` and sets `state.app` (also for a disabled or revoked key,
 * so the refusal is audited against its app); a refusal throws its PushApiException.
 */
export async function authenticate(
  auth: AppAuthenticator,
  header: string | undefined,
  state: CallState,
): Promise<void> {
  const match = BEARER.exec(header ?? '');
  if (match === null)
    throw new PushApiException('missing_credentials', 'send "Authorization: Bearer <app secret>"');
  const result = await auth.authenticateSecret(match[1] as string);
  state.app = result.app;
  if (result.ok) return;
  if (result.reason === 'disabled') throw new PushApiException('app_disabled', 'this app is disabled');
  if (result.reason === 'revoked') throw new PushApiException('key_revoked', 'this secret was rotated out');
  throw new PushApiException('invalid_key', 'no app has this secret');
}

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

export function normalise(
  err: FastifyError | PushApiException,
  logError: (m: string) => void,
): PushApiException {
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
export function auditCall(
  sink: AuditSink,
  route: Pick<RouteSpec, 'action' | 'audit'>,
  state: CallState,
  status: number,
  remoteAddr: string | undefined,
): void {
  const app = state.app;
  const entry = {
    actor: app === undefined ? 'unauthenticated' : `app:${app.key}`,
    appId: app?.id ?? null,
    action: route.action,
    target: state.audit.target,
    result: state.code === undefined ? String(status) : `${status} ${state.code}`,
    remoteAddr: remoteAddr ?? null,
  };
  if (status >= 400) sink.refusal(entry);
  else if (route.audit === 'tally') sink.tally(entry);
  else sink.record(entry);
}
