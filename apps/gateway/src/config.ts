import { gatewayLimitsEnv, gatewayLimitsFrom, type GatewayLimits } from '@beacon/gateway';
import {
  clusterTokenEnv,
  ConfigError,
  databaseEnv,
  databaseFrom,
  logLevelEnv,
  metricsEnv,
  parseEnv,
} from '@beacon/ops';
import { z } from 'zod';

const Env = z.object({
  BEACON_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  BEACON_HOST: z.string().min(1).default('127.0.0.1'),
  BEACON_TOPIC_SERVICE_URL: z
    .string()
    .regex(/^[^:/\s]+:\d{1,5}$/, 'host:port')
    .default('127.0.0.1:7070'),
  BEACON_PUBLIC_URL: z.string().optional(),
  ...databaseEnv,
  ...clusterTokenEnv,
  ...logLevelEnv,
  BEACON_APP_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  BEACON_PUBLISH_BUFFER: z.coerce.number().int().min(0).default(10_000),
  BEACON_PUBLISH_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(16 * 1024 * 1024),
  ...gatewayLimitsEnv,
  ...metricsEnv,
});

export interface GatewayConfig {
  port: number;
  host: string;
  topicServiceUrl: string;
  clusterToken: string | undefined;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  /** BEACON_APP_CHANGE_POLL_MS: how often the app change feed is polled. */
  appChangePollMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  appCacheTtlMs: number;
  publishBuffer: number;
  publishBufferBytes: number;
  sweepIntervalMs: number;
  limits: GatewayLimits;
  /** Bearer token /metrics requires; unset: loopback peers only. */
  metricsToken: string | undefined;
}

/** The gateway's whole configuration, parsed once; every bad variable reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = parseEnv(Env, env);
  const limits = gatewayLimitsFrom(e);
  if (typeof limits === 'string') throw new ConfigError(`invalid configuration:\n  ${limits}`);
  return {
    port: e.BEACON_PORT,
    host: e.BEACON_HOST,
    topicServiceUrl: e.BEACON_TOPIC_SERVICE_URL,
    clusterToken: e.BEACON_CLUSTER_TOKEN,
    publicUrl: e.BEACON_PUBLIC_URL,
    ...databaseFrom(e),
    logLevel: e.BEACON_LOG_LEVEL,
    appCacheTtlMs: e.BEACON_APP_CACHE_TTL_MS,
    publishBuffer: e.BEACON_PUBLISH_BUFFER,
    publishBufferBytes: e.BEACON_PUBLISH_BUFFER_BYTES,
    sweepIntervalMs: e.BEACON_SWEEP_INTERVAL_MS,
    limits,
    metricsToken: e.BEACON_METRICS_TOKEN,
  };
}
