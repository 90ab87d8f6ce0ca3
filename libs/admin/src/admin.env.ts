import { z } from 'zod';
import { DEFAULT_ADMIN_SETTINGS, type AdminSettings } from './admin.options.js';

const D = DEFAULT_ADMIN_SETTINGS;
const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);

/** The admin API's environment variables, for an app's config schema (docs/configuration.md). */
export const adminEnv = {
  BEACON_ADMIN_EMAIL: z.string().min(3).max(254).default('admin@localhost'),
  BEACON_ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').max(1024).optional(),
  BEACON_ADMIN_SESSION_IDLE_SEC: int(D.sessionIdleMs / 1000),
  BEACON_ADMIN_SESSION_MAX_SEC: int(D.sessionMaxMs / 1000),
  BEACON_ADMIN_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default(D.cookieSecure),
  BEACON_ADMIN_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(z.url().transform((u) => new URL(u).origin))),
  BEACON_ADMIN_SIGNIN_ACCOUNT_LIMIT: int(D.signInAccountLimit),
  BEACON_ADMIN_SIGNIN_ADDRESS_LIMIT: int(D.signInAddressLimit),
  BEACON_ADMIN_SIGNIN_WINDOW_SEC: int(D.signInWindowMs / 1000),
  BEACON_ADMIN_TAIL_RATE: int(D.tailRatePerSec),
  /** The built dashboard (default: apps/dashboard/dist of this checkout). */
  BEACON_DASHBOARD_DIR: z.string().min(1).optional(),
};

type AdminEnv = z.output<z.ZodObject<typeof adminEnv>>;

export interface AdminConfig {
  settings: AdminSettings;
  /** The first admin, created when no operator exists. */
  firstAdmin: { email: string; password: string | undefined };
  /** BEACON_DASHBOARD_DIR, when set. */
  dashboardDir: string | undefined;
}

export function adminConfigFrom(e: AdminEnv): AdminConfig {
  return {
    settings: {
      ...D,
      sessionIdleMs: e.BEACON_ADMIN_SESSION_IDLE_SEC * 1000,
      sessionMaxMs: e.BEACON_ADMIN_SESSION_MAX_SEC * 1000,
      cookieSecure: e.BEACON_ADMIN_COOKIE_SECURE,
      allowedOrigins: e.BEACON_ADMIN_ORIGINS,
      signInAccountLimit: e.BEACON_ADMIN_SIGNIN_ACCOUNT_LIMIT,
      signInAddressLimit: e.BEACON_ADMIN_SIGNIN_ADDRESS_LIMIT,
      signInWindowMs: e.BEACON_ADMIN_SIGNIN_WINDOW_SEC * 1000,
      tailRatePerSec: e.BEACON_ADMIN_TAIL_RATE,
    },
    firstAdmin: { email: e.BEACON_ADMIN_EMAIL, password: e.BEACON_ADMIN_PASSWORD },
    dashboardDir: e.BEACON_DASHBOARD_DIR,
  };
}
