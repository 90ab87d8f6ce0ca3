import type { FastifyError } from 'fastify';
import type { ApiApp, AppAuthenticator, AuditSink, PushApiOptions } from '../ports.js';
import { PushApiException, type PushApiErrorCode } from '../push-api.exception.js';
import { auditPushCall, bearerSecret, secretRefusal } from '../push-call.js';
import type { RequestTiming } from '../request-timing.js';
import type { PushRouter } from '../push-use-cases.js';
import type { RouteSpec } from '../routes.js';

/** What one REST call needs whichever way it arrives (Fastify's route, or the publish front handler). */

export interface RestDeps {
  router: PushRouter;
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

/**
 * Checks `Authorization: Bearer <app secret>` and sets `state.app` (also for a disabled or revoked key,
 * so the refusal is audited against its app); a refusal throws its PushApiException.
 */
export async function authenticate(
  auth: AppAuthenticator,
  header: string | undefined,
  state: CallState,
): Promise<void> {
  const secret = bearerSecret(header);
  if (secret === undefined)
    throw new PushApiException('missing_credentials', 'send "Authorization: Bearer <app secret>"');
  const result = await auth.authenticateSecret(secret);
  state.app = result.app;
  if (!result.ok) throw secretRefusal(result);
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

/** A REST call's audit entry (push-call.ts): `result` is `<status>` or `<status> <code>`. */
export function auditCall(
  sink: AuditSink,
  route: Pick<RouteSpec, 'action' | 'audit'>,
  state: CallState,
  status: number,
  remoteAddr: string | undefined,
): void {
  auditPushCall(
    sink,
    route.action,
    route.audit,
    state.app,
    state.audit.target,
    state.code === undefined ? String(status) : `${status} ${state.code}`,
    status >= 400,
    remoteAddr ?? null,
  );
}
