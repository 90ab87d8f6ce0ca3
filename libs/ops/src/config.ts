import { resolve } from 'node:path';
import { z } from 'zod';

/** A configuration the process cannot start with; the message lists every bad variable. */
export class ConfigError extends Error {}

/** Parses the environment once at boot against an app's schema; every bad variable is reported together. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export const logLevelEnv = { BEACON_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info') };

/** Where apps, secrets and the audit log live; shared by every app that opens the database. */
export const databaseEnv = {
  BEACON_DATA_DIR: z.string().min(1).default('./data'),
  BEACON_DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: or postgres:// or postgresql://')
    .optional(),
  BEACON_SECRET_KEY: z.string().optional(),
  /** How often the app change feed is polled (ms): how late a disable or rotation reaches this process. */
  BEACON_APP_CHANGE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
};

export interface DatabaseConfig {
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  appChangePollMs: number;
}

export function databaseFrom(e: {
  BEACON_DATA_DIR: string;
  BEACON_DATABASE_URL?: string | undefined;
  BEACON_SECRET_KEY?: string | undefined;
  BEACON_APP_CHANGE_POLL_MS: number;
}): DatabaseConfig {
  const dataDir = resolve(e.BEACON_DATA_DIR);
  return {
    dataDir,
    databaseUrl: e.BEACON_DATABASE_URL ?? `file:${resolve(dataDir, 'beacon.db')}`,
    secretKey: e.BEACON_SECRET_KEY,
    appChangePollMs: e.BEACON_APP_CHANGE_POLL_MS,
  };
}

/** The shared secret every cluster member presents to the topic-service (unset: no check). */
export const clusterTokenEnv = {
  BEACON_CLUSTER_TOKEN: z.string().min(16, 'at least 16 characters').max(512).optional(),
};

/** The host to print in URLs for a server bound to `bindHost`: loopback for a wildcard bind. */
export function reachableHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
}
