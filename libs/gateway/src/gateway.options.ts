/** Limits and timings of the WebSocket gateway. Every field is documented in docs/configuration.md. */
export interface GatewayLimits {
  /** Largest inbound frame in bytes; bigger ones close the connection with 1009. */
  maxFrameBytes: number;
  /** Topics one connection may be subscribed to at once. */
  maxTopicsPerConnection: number;
  /** Topics one client publish may name; more is refused with `too_many_topics`. */
  maxTopicsPerPublish: number;
  /** Longest topic name. */
  maxTopicLength: number;
  /** Client publishes per second (token bucket refill) and burst. */
  publishRate: number;
  publishBurst: number;
  /** Inbound frames per second and burst of any type; past it the connection closes with 4029. */
  frameRate: number;
  frameBurst: number;
  /**
   * Frames, and their bytes, that may wait while a connection authenticates or an async hook runs;
   * past either the connection closes with 4030.
   */
  inboxFrames: number;
  inboxBytes: number;
  /** Bytes that may wait in a connection's outbound buffer; past it the connection is a slow consumer (4008). */
  outboundBudgetBytes: number;
  /** A write that has not drained for this long also makes the connection a slow consumer. */
  writeTimeoutMs: number;
  /** Server ping interval and the silence after which a connection is closed (4009). */
  pingIntervalMs: number;
  idleTimeoutMs: number;
  /** Time a closing connection gets to flush before its socket is destroyed. */
  closeGraceMs: number;
  /** Longest a SIGTERM drain waits for clients to leave before the process closes what is left. */
  drainMs: number;
  /** Time a new connection gets to authenticate. */
  authTimeoutMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxFrameBytes: 64 * 1024,
  maxTopicsPerConnection: 100,
  maxTopicsPerPublish: 100,
  maxTopicLength: 200,
  publishRate: 10,
  publishBurst: 20,
  frameRate: 50,
  frameBurst: 100,
  inboxFrames: 100,
  inboxBytes: 256 * 1024,
  outboundBudgetBytes: 1024 * 1024,
  writeTimeoutMs: 10_000,
  pingIntervalMs: 25_000,
  idleTimeoutMs: 60_000,
  closeGraceMs: 5_000,
  drainMs: 10_000,
  authTimeoutMs: 10_000,
};

export interface GatewayOptions {
  limits: GatewayLimits;
  /** Period of the sweep that sends pings and enforces idle, expiry and write deadlines. */
  sweepIntervalMs?: number;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

/** A connection's limits for an app: its overrides where set, else the process-wide limits. */
export function connectionLimitsFor(
  limits: GatewayLimits,
  app?: {
    publishRate?: number | null;
    publishBurst?: number | null;
    maxTopicsPerConnection?: number | null;
    maxMessageBytes?: number | null;
  },
): { maxTopics: number; maxDataBytes: number; publishRate: number; publishBurst: number } {
  return {
    maxTopics: app?.maxTopicsPerConnection ?? limits.maxTopicsPerConnection,
    // a frame cannot be larger than the frame limit, whatever the app allows its data to be
    maxDataBytes: Math.min(app?.maxMessageBytes ?? limits.maxFrameBytes, limits.maxFrameBytes),
    publishRate: app?.publishRate ?? limits.publishRate,
    publishBurst: app?.publishBurst ?? limits.publishBurst,
  };
}
