export {
  DEFAULT_APP_SETTINGS,
  LIMIT_OVERRIDE_MIN,
  TOKEN_LIFETIME_BOUNDS,
  type AppSettings,
} from './app-settings.js';
export {
  AppChangeFeed,
  AppChangeWatcher,
  watchApps,
  type AppChangeConsumers,
  type AppChange,
  type AppChangeKind,
  type WatchOptions,
} from './app-changes.js';
export {
  AppsRepository,
  DEV_APP_KEY,
  pushSecretKid,
  type PushSecretRecord,
  type AppRecord,
  type AddTokenKeyInput,
  type AppWithKeys,
  type IssuedTokenKey,
  type CreateAppInput,
  type SecretAuthResult,
} from './apps.repository.js';
export {
  AUDIT_QUERY_DEFAULT_LIMIT,
  AUDIT_QUERY_MAX_LIMIT,
  AuditLog,
  isOkResult,
  type AuditEntry,
  type AuditLogOptions,
  type AuditQuery,
  type AuditRecordOut,
  type AuditRow,
  type AuditStats,
  type AuditStore,
} from './audit-log.js';
export { providerOf, type Provider } from './database-url.js';
export { migrate, runMigrations, type MigrateOptions, type MigrateResult } from './migrate.js';
export {
  OPERATOR_ROLES,
  OperatorsRepository,
  type OperatorDetails,
  type OperatorRecord,
  type OperatorRole,
} from './operators.repository.js';
export {
  OperatorSessionsRepository,
  sessionIdOf,
  type OperatorSessionRecord,
} from './operator-sessions.repository.js';
export { Persistence, type PersistenceOptions } from './persistence.js';
export { SignInFailuresRepository } from './sign-in-failures.repository.js';
export { PersistenceModule, PERSISTENCE_OPTIONS } from './persistence.module.js';
export { PersistenceError, type PersistenceErrorCode } from './persistence.exception.js';
export { generateSecret } from './secret-box.js';
export { MIN_SECRET_BITS, secretStrengthProblem } from './secret-strength.js';
export {
  isTokenKeyAlg,
  KID_PATTERN,
  MAX_ACTIVE_TOKEN_KEYS,
  TOKEN_KEY_ALGS,
  type TokenKeyAlg,
  type TokenKeyRecord,
  type VerificationKey,
} from './token-keys.js';
export { registerAuditMetrics } from './audit-metrics.js';
