import type { ApiApp, AuditSink, SecretCheck } from './ports.js';
import { PushApiException } from './push-api.exception.js';
import type { PushAction } from './routes.js';

/**
 * What a push API call answers whichever transport carried it, and how it is audited: the one place for
 * the outcome type of the use cases (push-use-cases.ts), the refusal of a secret, and the audit entry.
 * The transports only word it: REST as an HTTP status and problem JSON (push-api.exception.ts), gRPC as
 * a status with the code in trailing metadata (grpc/grpc-status.ts).
 */

/**
 * A refused call: its documented code (docs/errors.md) and detail. PushApiException is the one refusal
 * type, returned by the use cases and thrown only inside them and by the transports' own readers.
 */
export type Refusal = PushApiException;

/**
 * A use case's answer: its result, or a refusal. Told apart by `isRefusal` (the refusal is a class, every
 * result a plain object), so the tuned REST publish path allocates no wrapper per call.
 */
export type PushCall<T extends object> = T | Refusal;

export function isRefusal(r: unknown): r is Refusal {
  return r instanceof PushApiException;
}

/** What the audit record names, set by a use case as soon as it knows (before validating). */
export interface AuditScope {
  target: string | null;
}

/**
 * A thrown refusal as a value; anything else is a bug and is thrown on, for the transport to answer
 * `internal` and log.
 */
export function refusalOf(err: unknown): Refusal {
  if (err instanceof PushApiException) return err;
  throw err;
}

/** The refusal of a router failure: `unavailable`, safe to retry (a refusal the router made is kept). */
export function routingRefusal(err: unknown): Refusal {
  if (err instanceof PushApiException) return err;
  return new PushApiException(
    'unavailable',
    `routing failed: ${err instanceof Error ? err.message : String(err)}`,
  );
}

/** `Bearer <app secret>` of an Authorization header or metadata value: the secret, or undefined. */
const BEARER = /^Bearer ([^\s]{1,512})$/;
export function bearerSecret(value: string | undefined): string | undefined {
  const match = value === undefined ? null : BEARER.exec(value);
  return match === null ? undefined : (match[1] as string);
}

/** The refusal of a secret the authenticator did not accept (a disabled app is still known, and audited). */
export function secretRefusal(check: Extract<SecretCheck, { ok: false }>): Refusal {
  if (check.reason === 'disabled') return new PushApiException('app_disabled', 'this app is disabled');
  if (check.reason === 'revoked') return new PushApiException('key_revoked', 'this secret was rotated out');
  return new PushApiException('invalid_key', 'no app has this secret');
}

/**
 * One audit entry per call, REST and gRPC alike: refusals through `refusal`, successes by the action's
 * kind (routes.ts: `tally` for data-plane calls, `each` for changes). `result` is the transport's wording
 * (`200`, `404 client_not_found`, `grpc:OK`, `grpc:NOT_FOUND client_not_found`).
 */
export function auditPushCall(
  sink: AuditSink,
  action: PushAction,
  kind: 'tally' | 'each',
  app: ApiApp | undefined,
  target: string | null,
  result: string,
  refused: boolean,
  remoteAddr: string | null,
): void {
  const entry = {
    actor: app === undefined ? 'unauthenticated' : `app:${app.key}`,
    appId: app?.id ?? null,
    action,
    target,
    result,
    remoteAddr,
  };
  if (refused) sink.refusal(entry);
  else if (kind === 'tally') sink.tally(entry);
  else sink.record(entry);
}
