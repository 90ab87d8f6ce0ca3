import { AdminApiError } from '@beacon/admin-api';

/** True for the 401 that means "no (more) session", not a wrong password at sign-in. */
export function isSessionLost(err: unknown): boolean {
  return err instanceof AdminApiError && err.status === 401 && err.code === 'unauthenticated';
}

export function isForbidden(err: unknown): boolean {
  return err instanceof AdminApiError && err.status === 403;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof AdminApiError && err.code === 'not_found';
}

/** A sentence for the operator: the server's problem detail when it sent one. */
export function errorMessage(err: unknown): string {
  if (err instanceof AdminApiError) {
    if (err.code === 'network') return 'The platform cannot be reached. Check that it is running.';
    if (err.code === 'rate_limited' && err.problem?.retryAfter !== undefined)
      return `${err.message || 'Too many attempts.'} Try again in ${err.problem.retryAfter} s.`;
    const fields = err.problem?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    const base = err.message !== '' ? err.message : (err.problem?.title ?? `HTTP ${err.status}`);
    return fields !== undefined && fields !== '' ? `${base} (${fields})` : base;
  }
  return err instanceof Error ? err.message : String(err);
}
