/**
 * The admin API's closed set of failures, answered as RFC 9457 problems (`application/problem+json`)
 * with `code` one of these. docs/errors.md lists them with every other surface's codes.
 */
export const AdminErrors = {
  invalid_request: { status: 400, title: 'Invalid request' },
  confirmation_mismatch: { status: 400, title: 'Confirmation does not match' },
  unauthenticated: { status: 401, title: 'Sign-in required' },
  invalid_credentials: { status: 401, title: 'Wrong email or password' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  foreign_origin: { status: 403, title: 'Request from another origin' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  last_admin: { status: 409, title: 'The last enabled admin cannot be removed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many attempts' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Unavailable' },
} as const;

export type AdminErrorCode = keyof typeof AdminErrors;

export interface AdminProblem {
  type: string;
  title: string;
  status: number;
  code: AdminErrorCode;
  detail: string;
  /** Seconds to wait, on `rate_limited`. */
  retryAfter?: number;
  errors?: Array<{ path: string; message: string }>;
}

/** A failed admin API call, as the client sees it. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: AdminErrorCode | 'network',
    message: string,
    readonly problem?: AdminProblem,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}
