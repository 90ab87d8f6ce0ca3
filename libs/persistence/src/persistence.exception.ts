/** Closed set of persistence error codes (docs/persistence.md lists them). Transports map them once. */
export type PersistenceErrorCode =
  | 'APP_NOT_FOUND'
  | 'APP_KEY_TAKEN'
  | 'TOKEN_KEY_NOT_FOUND'
  | 'OPERATOR_EMAIL_TAKEN'
  | 'OPERATOR_NOT_FOUND'
  | 'LAST_ADMIN'
  | 'INVALID_INPUT'
  | 'UNSUPPORTED_DATABASE_URL'
  | 'SECRET_KEY_INVALID'
  | 'MIGRATION_FAILED'
  | 'MIGRATIONS_NOT_FOUND';

export class PersistenceError extends Error {
  override readonly name = 'PersistenceError';

  constructor(
    readonly code: PersistenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Prisma's unique-constraint violation, recognised without importing a generated client. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
