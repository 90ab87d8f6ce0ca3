import { isIP } from 'node:net';
import { clusterTokenEnv, ConfigError, logLevelEnv } from '@beacon/ops';
import { z } from 'zod';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);

/** Every setting of the topic-service; docs/topic-service.md lists them all. */
const Env = z.object({
  BEACON_TOPIC_SERVICE_HOST: z.string().min(1).default('127.0.0.1'),
  // A real port, never 0: gateways reconnect to the same address after a restart.
  BEACON_TOPIC_SERVICE_PORT: int(7070, 1).pipe(z.number().max(65535)),
  BEACON_HEARTBEAT_INTERVAL_MS: int(2000, 10),
  BEACON_LIVENESS_TIMEOUT_MS: int(6000, 20),
  BEACON_COMMAND_TIMEOUT_MS: int(2000, 10),
  BEACON_HISTORY_MAX_BYTES: int(64 * 1024 * 1024, 1024),
  BEACON_HISTORY_MAX_STREAMS: int(100_000),
  ...logLevelEnv,
  ...clusterTokenEnv,
});

export type TopicServiceLogLevel = z.infer<typeof Env>['BEACON_LOG_LEVEL'];

export interface TopicServiceConfig {
  host: string;
  port: number;
  heartbeatIntervalMs: number;
  livenessTimeoutMs: number;
  commandTimeoutMs: number;
  /** The in-memory history store's bounds (the cluster's history lives here). */
  history: { maxBytes: number; maxStreams: number };
  logLevel: TopicServiceLogLevel;
  clusterToken: string | undefined;
}

/** Parses the environment once at boot; every bad variable is reported in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TopicServiceConfig {
  const parsed = Env.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  // Checked even when other variables are bad, so every problem is listed at once.
  const interval = Env.shape.BEACON_HEARTBEAT_INTERVAL_MS.safeParse(env.BEACON_HEARTBEAT_INTERVAL_MS);
  const timeout = Env.shape.BEACON_LIVENESS_TIMEOUT_MS.safeParse(env.BEACON_LIVENESS_TIMEOUT_MS);
  if (interval.success && timeout.success && timeout.data <= interval.data) {
    problems.push('  BEACON_LIVENESS_TIMEOUT_MS: must be larger than BEACON_HEARTBEAT_INTERVAL_MS');
  }
  const host = Env.shape.BEACON_TOPIC_SERVICE_HOST.safeParse(env.BEACON_TOPIC_SERVICE_HOST);
  const token = Env.shape.BEACON_CLUSTER_TOKEN.safeParse(env.BEACON_CLUSTER_TOKEN);
  if (host.success && token.success && token.data === undefined && !isLoopbackHost(host.data)) {
    problems.push(
      `  BEACON_TOPIC_SERVICE_HOST: ${host.data} is not loopback; refusing to accept unauthenticated callers from the network: set BEACON_CLUSTER_TOKEN (the same on every cluster process) or bind 127.0.0.1`,
    );
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    host: e.BEACON_TOPIC_SERVICE_HOST,
    port: e.BEACON_TOPIC_SERVICE_PORT,
    heartbeatIntervalMs: e.BEACON_HEARTBEAT_INTERVAL_MS,
    livenessTimeoutMs: e.BEACON_LIVENESS_TIMEOUT_MS,
    commandTimeoutMs: e.BEACON_COMMAND_TIMEOUT_MS,
    history: { maxBytes: e.BEACON_HISTORY_MAX_BYTES, maxStreams: e.BEACON_HISTORY_MAX_STREAMS },
    logLevel: e.BEACON_LOG_LEVEL,
    clusterToken: e.BEACON_CLUSTER_TOKEN,
  };
}

/**
 * Loopback only: 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. Anything else, wildcards and
 * host names included, may be reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(bare) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(bare);
}
