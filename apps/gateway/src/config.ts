import { resolve } from 'node:path';
import { gatewayLimitsEnv, gatewayLimitsFrom, type GatewayLimits } from '@beacon/gateway';
import { z } from 'zod';

const Env = z.object({
  BEACON_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  BEACON_HOST: z.string().min(1).default('0.0.0.0'),
  BEACON_TOPIC_SERVICE_URL: z
    .string()
    .regex(/^[^:/\s]+:\d{1,5}$/, 'host:port')
    .default('127.0.0.1:7070'),
  BEACON_PUBLIC_URL: z.string().optional(),
  BEACON_DATA_DIR: z.string().min(1).default('./data'),
  BEACON_DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: or postgres:// or postgresql://')
    .optional(),
  BEACON_SECRET_KEY: z.string().optional(),
  BEACON_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  BEACON_APP_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  BEACON_PUBLISH_BUFFER: z.coerce.number().int().min(0).default(10_000),
  ...gatewayLimitsEnv,
});

export interface GatewayConfig {
  port: number;
  host: string;
  topicServiceUrl: string;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  appCacheTtlMs: number;
  publishBuffer: number;
  sweepIntervalMs: number;
  limits: GatewayLimits;
}

export class ConfigError extends Error {}

/** The gateway's whole configuration, parsed once; every bad variable reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const limits = gatewayLimitsFrom(e);
  if (typeof limits === 'string') throw new ConfigError(`invalid configuration:\n  ${limits}`);
  const dataDir = resolve(e.BEACON_DATA_DIR);
  return {
    port: e.BEACON_PORT,
    host: e.BEACON_HOST,
    topicServiceUrl: e.BEACON_TOPIC_SERVICE_URL,
    publicUrl: e.BEACON_PUBLIC_URL,
    dataDir,
    databaseUrl: e.BEACON_DATABASE_URL ?? `file:${resolve(dataDir, 'beacon.db')}`,
    secretKey: e.BEACON_SECRET_KEY,
    logLevel: e.BEACON_LOG_LEVEL,
    appCacheTtlMs: e.BEACON_APP_CACHE_TTL_MS,
    publishBuffer: e.BEACON_PUBLISH_BUFFER,
    sweepIntervalMs: e.BEACON_SWEEP_INTERVAL_MS,
    limits,
  };
}
