import { adminConfigFrom, adminEnv, type AdminConfig } from '@beacon/admin';
import { DEFAULT_MAX_TOPIC_LENGTH } from '@beacon/protocol';
import { clusterTokenEnv, databaseEnv, databaseFrom, logLevelEnv, metricsEnv, parseEnv } from '@beacon/ops';
import { z } from 'zod';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);
const GRPC_PORT = 'a port 1-65535, or off (0 is not supported for gRPC)';

/** Every setting of the split deployment's push API; docs/configuration.md lists them all. */
const Env = z.object({
  BEACON_PORT: int(8090, 0).pipe(z.number().max(65535)),
  // Nest's gRPC transport cannot report a port the OS picked, so 0 is refused.
  BEACON_GRPC_PORT: z
    .union([z.literal('off'), z.coerce.number().int(GRPC_PORT).min(1, GRPC_PORT).max(65535, GRPC_PORT)], {
      error: GRPC_PORT,
    })
    .default(8091),
  BEACON_HOST: z.string().min(1).default('127.0.0.1'),
  BEACON_TOPIC_SERVICE_URL: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port of the topic-service')
    .default('127.0.0.1:7070'),
  BEACON_TOPIC_SERVICE_DEADLINE_MS: int(5000, 10),
  ...databaseEnv,
  ...clusterTokenEnv,
  ...logLevelEnv,
  BEACON_MAX_MESSAGE_BYTES: int(64 * 1024, 16),
  BEACON_APP_CACHE_TTL_MS: int(5000, 0),
  BEACON_AUDIT_MAX_QUEUE: int(10_000),
  BEACON_AUDIT_BATCH_SIZE: int(500),
  BEACON_AUDIT_FLUSH_MS: int(200, 10),
  BEACON_AUDIT_WINDOW_MS: int(60_000, 100),
  BEACON_MAX_TOPIC_LENGTH: int(DEFAULT_MAX_TOPIC_LENGTH).pipe(z.number().max(1024)),
  ...metricsEnv,
  ...adminEnv,
});

export interface PushApiConfig {
  port: number;
  /** gRPC PushService port on `host`, or null when disabled (`off`). */
  grpcPort: number | null;
  host: string;
  topicServiceUrl: string;
  clusterToken: string | undefined;
  topicServiceDeadlineMs: number;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  /** BEACON_APP_CHANGE_POLL_MS: how often the app change feed is polled. */
  appChangePollMs: number;
  /** BEACON_APP_CACHE_TTL_MS: how long a secret check is cached (the change feed invalidates it sooner). */
  appCacheTtlMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  maxMessageBytes: number;
  maxTopicLength: number;
  audit: { maxQueue: number; batchSize: number; flushIntervalMs: number; windowMs: number };
  /** Bearer token /metrics requires; unset: loopback peers only. */
  metricsToken: string | undefined;
  /** The admin API and dashboard: sessions, sign-in limits, the first admin. */
  admin: AdminConfig;
}

/** Parses the environment once at boot; every bad variable is reported in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PushApiConfig {
  const e = parseEnv(Env, env);
  return {
    port: e.BEACON_PORT,
    grpcPort: e.BEACON_GRPC_PORT === 'off' ? null : e.BEACON_GRPC_PORT,
    host: e.BEACON_HOST,
    topicServiceUrl: e.BEACON_TOPIC_SERVICE_URL,
    clusterToken: e.BEACON_CLUSTER_TOKEN,
    topicServiceDeadlineMs: e.BEACON_TOPIC_SERVICE_DEADLINE_MS,
    ...databaseFrom(e),
    logLevel: e.BEACON_LOG_LEVEL,
    maxMessageBytes: e.BEACON_MAX_MESSAGE_BYTES,
    appCacheTtlMs: e.BEACON_APP_CACHE_TTL_MS,
    maxTopicLength: e.BEACON_MAX_TOPIC_LENGTH,
    audit: {
      maxQueue: e.BEACON_AUDIT_MAX_QUEUE,
      batchSize: e.BEACON_AUDIT_BATCH_SIZE,
      flushIntervalMs: e.BEACON_AUDIT_FLUSH_MS,
      windowMs: e.BEACON_AUDIT_WINDOW_MS,
    },
    metricsToken: e.BEACON_METRICS_TOKEN,
    admin: adminConfigFrom(e),
  };
}
