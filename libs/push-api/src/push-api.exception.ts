/**
 * The push API's closed set of failures. The use cases (push-use-cases.ts) answer them as refusals
 * (push-call.ts); REST maps them to HTTP (RFC 9457 problem+json, toProblem) once, gRPC to a status
 * (grpc/grpc-status.ts). docs/errors.md lists every code.
 */
export const PushApiErrors = {
  missing_credentials: { status: 401, title: 'Missing credentials' },
  invalid_key: { status: 401, title: 'Invalid app secret' },
  key_revoked: { status: 401, title: 'App secret revoked' },
  app_disabled: { status: 403, title: 'App disabled' },
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_topic: { status: 400, title: 'Invalid topic' },
  client_not_found: { status: 404, title: 'Client not connected' },
  no_presence: { status: 404, title: 'No presence on this topic' },
  no_history: { status: 404, title: 'No history on this topic' },
  not_found: { status: 404, title: 'Not found' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unavailable: { status: 503, title: 'Routing unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type PushApiErrorCode = keyof typeof PushApiErrors;

export class PushApiException extends Error {
  constructor(
    readonly code: PushApiErrorCode,
    readonly detail: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: PushApiErrorCode;
  detail: string;
  [extra: string]: unknown;
}

export function toProblem(err: PushApiException): Problem {
  const { status, title } = PushApiErrors[err.code];
  return {
    type: `https://beacon.dev/errors/${err.code}`,
    title,
    status,
    code: err.code,
    detail: err.detail,
    ...err.extra,
  };
}
