import { randomBytes } from 'node:crypto';
import type { AdminStore } from './store.js';

/**
 * On a platform's first start with no operator at all, creates an admin (BEACON_ADMIN_EMAIL, password
 * BEACON_ADMIN_PASSWORD or generated). Returns what to show once: the email and the generated password
 * (null when it was supplied: never echoed back), or null when operators existed already.
 */
export async function ensureFirstAdmin(
  store: Pick<AdminStore, 'operators' | 'audit'>,
  first: { email: string; password: string | undefined },
): Promise<{ email: string; password: string | null } | null> {
  if ((await store.operators.count()) > 0) return null;
  const password = first.password ?? randomBytes(18).toString('base64url');
  try {
    const op = await store.operators.create({ email: first.email, password, role: 'admin' });
    store.audit.record({
      actor: 'system',
      action: 'operator.create',
      target: op.email,
      result: 'ok',
      detail: { role: 'admin', firstStart: true },
    });
    return { email: op.email, password: first.password === undefined ? password : null };
  } catch (err) {
    // another process made the first operator meanwhile
    if ((await store.operators.count()) > 0) return null;
    throw err;
  }
}
