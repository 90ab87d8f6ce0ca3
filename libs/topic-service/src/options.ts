import { DEFAULT_TOPIC_SERVICE_LIMITS, type TopicServiceLimits } from './limits.js';

export interface TopicServiceOptions {
  /** Told to gateways in `registered`: how often they send a heartbeat. */
  heartbeatIntervalMs: number;
  /** A gateway from which nothing arrives for this long is removed with all its interest. */
  livenessTimeoutMs: number;
  /** How long a Send or Disconnect waits for the gateways' results; a silent gateway counts 0. */
  commandTimeoutMs: number;
  /** How often the counters are logged at debug level (default one minute). */
  statsLogIntervalMs?: number;
  limits?: Partial<TopicServiceLimits>;
  /** Bounds of the in-memory history store (BEACON_HISTORY_MAX_BYTES, BEACON_HISTORY_MAX_STREAMS). */
  history?: { maxBytes: number; maxStreams: number };
  /** Required from every caller when set; see ClusterAuth. */
  clusterToken?: string;
}

export interface ResolvedTopicServiceOptions extends Required<
  Omit<TopicServiceOptions, 'limits' | 'clusterToken'>
> {
  limits: TopicServiceLimits;
}

export const DEFAULT_TOPIC_SERVICE_OPTIONS: ResolvedTopicServiceOptions = {
  heartbeatIntervalMs: 2000,
  livenessTimeoutMs: 6000,
  commandTimeoutMs: 2000,
  statsLogIntervalMs: 60_000,
  history: { maxBytes: 64 * 1024 * 1024, maxStreams: 100_000 },
  limits: DEFAULT_TOPIC_SERVICE_LIMITS,
};

export function resolveOptions(options: Partial<TopicServiceOptions> = {}): ResolvedTopicServiceOptions {
  const d = DEFAULT_TOPIC_SERVICE_OPTIONS;
  const r: ResolvedTopicServiceOptions = {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
    livenessTimeoutMs: options.livenessTimeoutMs ?? d.livenessTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs ?? d.commandTimeoutMs,
    statsLogIntervalMs: options.statsLogIntervalMs ?? d.statsLogIntervalMs,
    history: options.history ?? d.history,
    limits: { ...d.limits, ...options.limits },
  };
  if (r.livenessTimeoutMs <= r.heartbeatIntervalMs) {
    throw new Error('livenessTimeoutMs must be larger than heartbeatIntervalMs');
  }
  return r;
}

/** The liveness sweep runs four times per timeout: a silent gateway is gone within 1.25 × the timeout. */
export function sweepIntervalMs(options: ResolvedTopicServiceOptions): number {
  return Math.max(10, Math.ceil(options.livenessTimeoutMs / 4));
}
