import { AdminErrors, type AdminErrorCode, type AdminProblem } from '@beacon/admin-api';
import { PersistenceError, type PersistenceErrorCode } from '@beacon/persistence';

/** A failure of the admin capability, with one of the contract's codes (AdminErrors). Transport-free. */
export class AdminException extends Error {
  override readonly name = 'AdminException';

  constructor(
    readonly code: AdminErrorCode,
    detail?: string,
    readonly extra: Partial<Pick<AdminProblem, 'retryAfter' | 'errors'>> = {},
  ) {
    super(detail ?? AdminErrors[code].title);
  }

  get status(): number {
    return AdminErrors[this.code].status;
  }
}

const FROM_PERSISTENCE: Partial<Record<PersistenceErrorCode, AdminErrorCode>> = {
  APP_NOT_FOUND: 'not_found',
  TOKEN_KEY_NOT_FOUND: 'not_found',
  OPERATOR_NOT_FOUND: 'not_found',
  APP_KEY_TAKEN: 'conflict',
  OPERATOR_EMAIL_TAKEN: 'conflict',
  LAST_ADMIN: 'last_admin',
  INVALID_INPUT: 'invalid_request',
};

/** The admin code of any error: its own, a persistence error's mapping, else `internal`. */
export function toAdminException(err: unknown): AdminException {
  if (err instanceof AdminException) return err;
  if (err instanceof PersistenceError) {
    const code = FROM_PERSISTENCE[err.code];
    if (code !== undefined) return new AdminException(code, err.message);
  }
  return new AdminException('internal', 'internal error');
}

/** RFC 9457 body of an admin failure. */
export function toProblem(err: AdminException): AdminProblem {
  return {
    type: `https://beacon.dev/errors/${err.code}`,
    title: AdminErrors[err.code].title,
    status: err.status,
    code: err.code,
    detail: err.message,
    ...err.extra,
  };
}

/** What an audit record's `result` says of a failure in a use case: the code, lower-cased. */
export function auditResultOf(err: unknown): string {
  if (err instanceof PersistenceError) return err.code.toLowerCase();
  if (err instanceof AdminException) return err.code;
  return 'error';
}
