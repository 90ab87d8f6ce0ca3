import type { ConnectionDirectory, LiveStats, TopicDirectory } from './ports.js';

/** Settings of the admin API, from the environment (admin.env.ts); docs/configuration.md lists them. */
export interface AdminSettings {
  /** A session ends after this long without a request (BEACON_ADMIN_SESSION_IDLE_SEC). */
  sessionIdleMs: number;
  /** ... and this long after sign-in whatever the activity (BEACON_ADMIN_SESSION_MAX_SEC). */
  sessionMaxMs: number;
  /** `Secure` on the session cookie: always, never, or when the request came over https (`auto`). */
  cookieSecure: 'auto' | 'always' | 'never';
  /** Origins allowed besides the platform's own (BEACON_ADMIN_ORIGINS), e.g. a dashboard on another host. */
  allowedOrigins: readonly string[];
  /** Failed sign-ins allowed per account and per remote address within `signInWindowMs`; then 429. */
  signInAccountLimit: number;
  signInAddressLimit: number;
  signInWindowMs: number;
  /** Messages per second a topic tail sends one viewer; the rest are counted as dropped. */
  tailRatePerSec: number;
  /** How often the live audit stream looks for new records. */
  auditPollMs: number;
}

export const DEFAULT_ADMIN_SETTINGS: AdminSettings = {
  sessionIdleMs: 30 * 60_000,
  sessionMaxMs: 12 * 3_600_000,
  cookieSecure: 'auto',
  allowedOrigins: [],
  signInAccountLimit: 5,
  signInAddressLimit: 20,
  signInWindowMs: 15 * 60_000,
  tailRatePerSec: 10,
  auditPollMs: 1_000,
};

/** What AdminModule.forRoot takes: the platform's live state behind three ports, and settings. */
export interface AdminModuleOptions {
  liveStats: LiveStats;
  topics: TopicDirectory;
  connections: ConnectionDirectory;
  settings?: Partial<AdminSettings>;
  /** The clock (tests move it to expire sessions). */
  now?: () => number;
}

export const ADMIN_OPTIONS = Symbol('ADMIN_OPTIONS');
