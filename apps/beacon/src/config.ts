import { resolve } from 'node:path';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from '@beacon/gateway';
import { z } from 'zod';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);
const L = DEFAULT_GATEWAY_LIMITS;
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
  BEACON_DATA_DIR: z.string().min(1).default('./data'),
  BEACON_DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: or postgres:// or postgresql://')
    .optional(),
  BEACON_SECRET_KEY: z.string().optional(),
  BEACON_DEV_APP_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,64}$/, '3-64 chars of A-Z a-z 0-9 _ -')
    .optional(),
  BEACON_DEV_APP_SECRET: z.string().min(16, 'at least 16 characters').max(512).optional(),
  BEACON_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  BEACON_MAX_FRAME_BYTES: int(L.maxFrameBytes, 256),
  BEACON_MAX_MESSAGE_BYTES: int(64 * 1024, 16),
  BEACON_MAX_TOPICS_PER_CONNECTION: int(L.maxTopicsPerConnection),
  BEACON_MAX_TOPIC_LENGTH: int(L.maxTopicLength).pipe(z.number().max(1024)),
  BEACON_PUBLISH_RATE: int(L.publishRate),
  BEACON_PUBLISH_BURST: int(L.publishBurst),
  BEACON_FRAME_RATE: int(L.frameRate),
  BEACON_FRAME_BURST: int(L.frameBurst),
  BEACON_OUTBOUND_BUDGET_BYTES: int(L.outboundBudgetBytes, 1024),
  BEACON_WRITE_TIMEOUT_MS: int(L.writeTimeoutMs, 100),
  BEACON_PING_INTERVAL_MS: int(L.pingIntervalMs, 100),
  BEACON_IDLE_TIMEOUT_MS: int(L.idleTimeoutMs, 200),
  BEACON_CLOSE_GRACE_MS: int(L.closeGraceMs, 0),
  BEACON_AUTH_TIMEOUT_MS: int(L.authTimeoutMs, 100),
  BEACON_SWEEP_INTERVAL_MS: int(1000, 50),
  BEACON_APP_CACHE_TTL_MS: int(5000, 0),
  BEACON_AUDIT_MAX_QUEUE: int(10_000),
  BEACON_AUDIT_BATCH_SIZE: int(500),
  BEACON_AUDIT_FLUSH_MS: int(200, 10),
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
  audit: { maxQueue: number; batchSize: number; flushIntervalMs: number };
}

export class ConfigError extends Error {}

/** Parses the environment once at boot; every bad variable is reported in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BeaconConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.BEACON_DATA_DIR);
  if (e.BEACON_IDLE_TIMEOUT_MS <= e.BEACON_PING_INTERVAL_MS) {
    throw new ConfigError(
      'invalid configuration:\n  BEACON_IDLE_TIMEOUT_MS: must be larger than BEACON_PING_INTERVAL_MS',
    );
  }
  return {
    port: e.BEACON_PORT,
    grpcPort: e.BEACON_GRPC_PORT === 'off' ? null : e.BEACON_GRPC_PORT,
    host: e.BEACON_HOST,
    dataDir,
    databaseUrl: e.BEACON_DATABASE_URL ?? `file:${resolve(dataDir, 'beacon.db')}`,
    secretKey: e.BEACON_SECRET_KEY,
    devApp: { key: e.BEACON_DEV_APP_KEY, secret: e.BEACON_DEV_APP_SECRET },
    logLevel: e.BEACON_LOG_LEVEL,
    maxMessageBytes: e.BEACON_MAX_MESSAGE_BYTES,
    appCacheTtlMs: e.BEACON_APP_CACHE_TTL_MS,
    sweepIntervalMs: e.BEACON_SWEEP_INTERVAL_MS,
    limits: {
      maxFrameBytes: e.BEACON_MAX_FRAME_BYTES,
      maxTopicsPerConnection: e.BEACON_MAX_TOPICS_PER_CONNECTION,
      maxTopicLength: e.BEACON_MAX_TOPIC_LENGTH,
      publishRate: e.BEACON_PUBLISH_RATE,
      publishBurst: e.BEACON_PUBLISH_BURST,
      frameRate: e.BEACON_FRAME_RATE,
      frameBurst: e.BEACON_FRAME_BURST,
      outboundBudgetBytes: e.BEACON_OUTBOUND_BUDGET_BYTES,
      writeTimeoutMs: e.BEACON_WRITE_TIMEOUT_MS,
      pingIntervalMs: e.BEACON_PING_INTERVAL_MS,
      idleTimeoutMs: e.BEACON_IDLE_TIMEOUT_MS,
      closeGraceMs: e.BEACON_CLOSE_GRACE_MS,
      authTimeoutMs: e.BEACON_AUTH_TIMEOUT_MS,
    },
    audit: {
      maxQueue: e.BEACON_AUDIT_MAX_QUEUE,
      batchSize: e.BEACON_AUDIT_BATCH_SIZE,
      flushIntervalMs: e.BEACON_AUDIT_FLUSH_MS,
    },
  };
}
