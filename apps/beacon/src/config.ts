import { gatewayLimitsEnv, gatewayLimitsFrom, type GatewayLimits } from '@beacon/gateway';
import { ConfigError, databaseEnv, databaseFrom, logLevelEnv, metricsEnv, parseEnv } from '@beacon/ops';
import { z } from 'zod';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);
/** 1-65535 or `off`. Not 0: Nest's gRPC transport cannot report a port the OS picked. */
const grpcPort = (def: number) => {
  const msg = 'a port 1-65535, or off (0 is not supported for gRPC)';
  return z
    .union([z.literal('off'), z.coerce.number().int(msg).min(1, msg).max(65535, msg)], { error: msg })
    .default(def);
};

/** Every setting of the single-process platform; docs/configuration.md lists them all. */
const Env = z.object({
  BEACON_PORT: int(8080, 0).pipe(z.number().max(65535)),
  BEACON_HOST: z.string().min(1).default('0.0.0.0'),
  BEACON_GRPC_PORT: grpcPort(8081),
  ...databaseEnv,
  BEACON_DEV_APP_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,64}$/, '3-64 chars of A-Z a-z 0-9 _ -')
    .optional(),
  BEACON_DEV_APP_SECRET: z.string().min(16, 'at least 16 characters').max(512).optional(),
  ...logLevelEnv,
  BEACON_MAX_MESSAGE_BYTES: int(64 * 1024, 16),
  ...gatewayLimitsEnv,
  BEACON_APP_CACHE_TTL_MS: int(5000, 0),
  BEACON_AUDIT_MAX_QUEUE: int(10_000),
  BEACON_AUDIT_BATCH_SIZE: int(500),
  BEACON_AUDIT_FLUSH_MS: int(200, 10),
  BEACON_AUDIT_WINDOW_MS: int(60_000, 100),
  ...metricsEnv,
});

export interface BeaconConfig {
  port: number;
  /** gRPC PushService port on `host`, or null when disabled (`off`). */
  grpcPort: number | null;
  host: string;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  devApp: { key?: string; secret?: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  maxMessageBytes: number;
  appCacheTtlMs: number;
  sweepIntervalMs: number;
  limits: GatewayLimits;
  audit: { maxQueue: number; batchSize: number; flushIntervalMs: number; windowMs: number };
  /** Bearer token /metrics requires; unset: loopback peers only. */
  metricsToken: string | undefined;
}

/** Parses the environment once at boot; every bad variable is reported in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BeaconConfig {
  const e = parseEnv(Env, env);
  const limits = gatewayLimitsFrom(e);
  if (typeof limits === 'string')
    throw new ConfigError(`invalid configuration:
  ${limits}`);
  return {
    port: e.BEACON_PORT,
    grpcPort: e.BEACON_GRPC_PORT === 'off' ? null : e.BEACON_GRPC_PORT,
    host: e.BEACON_HOST,
    ...databaseFrom(e),
    devApp: { key: e.BEACON_DEV_APP_KEY, secret: e.BEACON_DEV_APP_SECRET },
    logLevel: e.BEACON_LOG_LEVEL,
    maxMessageBytes: e.BEACON_MAX_MESSAGE_BYTES,
    appCacheTtlMs: e.BEACON_APP_CACHE_TTL_MS,
    sweepIntervalMs: e.BEACON_SWEEP_INTERVAL_MS,
    limits,
    audit: {
      maxQueue: e.BEACON_AUDIT_MAX_QUEUE,
      batchSize: e.BEACON_AUDIT_BATCH_SIZE,
      flushIntervalMs: e.BEACON_AUDIT_FLUSH_MS,
      windowMs: e.BEACON_AUDIT_WINDOW_MS,
    },
    metricsToken: e.BEACON_METRICS_TOKEN,
  };
}
