import { adminConfigFrom, adminEnv, type AdminConfig } from '@beacon/admin';
import { gatewayLimitsEnv, gatewayLimitsFrom, type GatewayLimits } from '@beacon/gateway';
import { ConfigError, databaseEnv, databaseFrom, logLevelEnv, metricsEnv, parseEnv } from '@beacon/ops';
import { secretStrengthProblem } from '@beacon/persistence';
import { z } from 'zod';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);
/** 1-65535 or `off`. Not 0: Nest's gRPC transport cannot report a port the OS picked. */
const grpcPort = (def: number) => {
  const msg = 'a port 1-65535, or off (0 is not supported for gRPC)';
  return z
    .union([z.literal('off'), z.coerce.number().int(msg).min(1, msg).max(65535, msg)], { error: msg })
    .default(def);
};

/** A supplied secret must carry ≥ 256 bits (secret-strength.ts in @beacon/persistence). */
const strongSecret = z.string().superRefine((v, ctx) => {
  const problem = secretStrengthProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** Every setting of the single-process platform; docs/configuration.md lists them all. */
const Env = z.object({
  BEACON_PORT: int(8080, 0).pipe(z.number().max(65535)),
  // Loopback unless told otherwise: the Docker image and docker-compose.yml set 0.0.0.0 explicitly.
  BEACON_HOST: z.string().min(1).default('127.0.0.1'),
  BEACON_GRPC_PORT: grpcPort(8081),
  ...databaseEnv,
  BEACON_DEV_APP_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,64}$/, '3-64 chars of A-Z a-z 0-9 _ -')
    .optional(),
  BEACON_DEV_APP_SECRET: strongSecret.optional(),
  BEACON_DEV_APP_TOKEN_KEY: strongSecret.optional(),
  ...logLevelEnv,
  BEACON_MAX_MESSAGE_BYTES: int(64 * 1024, 16),
  ...gatewayLimitsEnv,
  BEACON_APP_CACHE_TTL_MS: int(5000, 0),
  BEACON_HISTORY_MAX_BYTES: int(64 * 1024 * 1024, 1024),
  BEACON_HISTORY_MAX_STREAMS: int(100_000),
  BEACON_AUDIT_MAX_QUEUE: int(10_000),
  BEACON_AUDIT_BATCH_SIZE: int(500),
  BEACON_AUDIT_FLUSH_MS: int(200, 10),
  BEACON_AUDIT_WINDOW_MS: int(60_000, 100),
  ...metricsEnv,
  ...adminEnv,
  BEACON_CHAT_DEMO: z.enum(['on', 'off'], { error: 'on or off' }).default('on'),
  BEACON_CHAT_DEMO_DIR: z.string().min(1).optional(),
});

export interface BeaconConfig {
  port: number;
  /** gRPC PushService port on `host`, or null when disabled (`off`). */
  grpcPort: number | null;
  host: string;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  /** BEACON_APP_CHANGE_POLL_MS: how often the app change feed is polled. */
  appChangePollMs: number;
  devApp: { key?: string; secret?: string; tokenKey?: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  maxMessageBytes: number;
  appCacheTtlMs: number;
  sweepIntervalMs: number;
  limits: GatewayLimits;
  audit: { maxQueue: number; batchSize: number; flushIntervalMs: number; windowMs: number };
  /** Bounds of the in-memory history store (docs/presence-and-history.md). */
  history: { maxBytes: number; maxStreams: number };
  /** Bearer token /metrics requires; unset: loopback peers only. */
  metricsToken: string | undefined;
  /** The admin API and dashboard: sessions, sign-in limits, the first admin. */
  admin: AdminConfig;
  /** The chat demo at /demo/chat/ (docs/chat-demo.md): on while the development app exists, unless off. */
  chatDemo: { enabled: boolean; dir: string | undefined };
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
    devApp: {
      key: e.BEACON_DEV_APP_KEY,
      secret: e.BEACON_DEV_APP_SECRET,
      tokenKey: e.BEACON_DEV_APP_TOKEN_KEY,
    },
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
    history: { maxBytes: e.BEACON_HISTORY_MAX_BYTES, maxStreams: e.BEACON_HISTORY_MAX_STREAMS },
    metricsToken: e.BEACON_METRICS_TOKEN,
    admin: adminConfigFrom(e),
    chatDemo: { enabled: e.BEACON_CHAT_DEMO === 'on', dir: e.BEACON_CHAT_DEMO_DIR },
  };
}
