export * from './ports.js';
export * from './admin.options.js';
export { adminEnv, adminConfigFrom, type AdminConfig } from './admin.env.js';
export { AdminModule } from './admin.module.js';
export { AdminException, toAdminException, toProblem } from './admin.exception.js';
export { AdminUseCases, cliActor, operatorActor, type Actor, type SettingsPatch } from './use-cases.js';
export { ensureFirstAdmin } from './first-admin.js';
export { OperatorSessions, type SignedIn } from './sessions.js';
export {
  SignInLimiter,
  type SignInAttempt,
  type SignInFailureStore,
  type SignInLimits,
} from './sign-in-limiter.js';
export { AuditFeed, auditMatches, type AuditFilter } from './audit-feed.js';
export { ADMIN_STORE, type AdminStore } from './store.js';
export { serveAdminOn, type ServeAdminInput, type ServedAdmin } from './serve.js';
export { openApiDocument } from './http/openapi.js';
export { registerAdminRoutes, ADMIN_BODY_LIMIT } from './http/register.js';
export { adminHandlers, type AdminServices } from './http/handlers.js';
export type { AdminHandlers, CallContext } from './http/context.js';
export { SESSION_COOKIE } from './http/cookies.js';
export { DASHBOARD_PATH, serveDashboard } from './http/dashboard.js';
export { lateBoundPorts, type AdminPorts } from './late-ports.js';
