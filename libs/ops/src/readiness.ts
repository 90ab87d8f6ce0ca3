/**
 * What an app checks before it calls itself ready. Each check answers `ok`, `degraded: ...` (serving,
 * with a dependency down: still ready) or `error: ...` (not ready: /readyz answers 503).
 */
export interface Readiness {
  check(): Promise<Record<string, string>>;
}
export const READINESS = Symbol('READINESS');
