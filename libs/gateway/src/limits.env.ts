import { z } from 'zod';
import { DEFAULT_GATEWAY_LIMITS as L, type GatewayLimits } from './gateway.options.js';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);

/** The gateway's limits as environment variables, for every app that runs a gateway. */
export const gatewayLimitsEnv = {
  BEACON_MAX_FRAME_BYTES: int(L.maxFrameBytes, 256),
  BEACON_MAX_TOPICS_PER_CONNECTION: int(L.maxTopicsPerConnection),
  BEACON_MAX_TOPICS_PER_PUBLISH: int(L.maxTopicsPerPublish),
  BEACON_MAX_TOPIC_LENGTH: int(L.maxTopicLength).pipe(z.number().max(1024)),
  BEACON_PUBLISH_RATE: int(L.publishRate),
  BEACON_PUBLISH_BURST: int(L.publishBurst),
  BEACON_FRAME_RATE: int(L.frameRate),
  BEACON_FRAME_BURST: int(L.frameBurst),
  BEACON_INBOX_FRAMES: int(L.inboxFrames),
  BEACON_INBOX_BYTES: int(L.inboxBytes, 256),
  BEACON_OUTBOUND_BUDGET_BYTES: int(L.outboundBudgetBytes, 1024),
  BEACON_WRITE_TIMEOUT_MS: int(L.writeTimeoutMs, 100),
  BEACON_PING_INTERVAL_MS: int(L.pingIntervalMs, 100),
  BEACON_IDLE_TIMEOUT_MS: int(L.idleTimeoutMs, 200),
  BEACON_CLOSE_GRACE_MS: int(L.closeGraceMs, 0),
  BEACON_DRAIN_MS: int(L.drainMs, 0),
  BEACON_AUTH_TIMEOUT_MS: int(L.authTimeoutMs, 100),
  BEACON_SWEEP_INTERVAL_MS: int(1000, 50),
};

type LimitsEnv = { [K in keyof typeof gatewayLimitsEnv]: z.infer<(typeof gatewayLimitsEnv)[K]> };

/** Returns the limits, or the message for a combination that cannot work. */
export function gatewayLimitsFrom(e: LimitsEnv): GatewayLimits | string {
  if (e.BEACON_IDLE_TIMEOUT_MS <= e.BEACON_PING_INTERVAL_MS) {
    return 'BEACON_IDLE_TIMEOUT_MS: must be larger than BEACON_PING_INTERVAL_MS';
  }
  if (e.BEACON_INBOX_BYTES < e.BEACON_MAX_FRAME_BYTES) {
    return 'BEACON_INBOX_BYTES: must be at least BEACON_MAX_FRAME_BYTES (one largest frame must fit)';
  }
  return {
    maxFrameBytes: e.BEACON_MAX_FRAME_BYTES,
    maxTopicsPerConnection: e.BEACON_MAX_TOPICS_PER_CONNECTION,
    maxTopicsPerPublish: e.BEACON_MAX_TOPICS_PER_PUBLISH,
    maxTopicLength: e.BEACON_MAX_TOPIC_LENGTH,
    publishRate: e.BEACON_PUBLISH_RATE,
    publishBurst: e.BEACON_PUBLISH_BURST,
    frameRate: e.BEACON_FRAME_RATE,
    frameBurst: e.BEACON_FRAME_BURST,
    inboxFrames: e.BEACON_INBOX_FRAMES,
    inboxBytes: e.BEACON_INBOX_BYTES,
    outboundBudgetBytes: e.BEACON_OUTBOUND_BUDGET_BYTES,
    writeTimeoutMs: e.BEACON_WRITE_TIMEOUT_MS,
    pingIntervalMs: e.BEACON_PING_INTERVAL_MS,
    idleTimeoutMs: e.BEACON_IDLE_TIMEOUT_MS,
    closeGraceMs: e.BEACON_CLOSE_GRACE_MS,
    drainMs: e.BEACON_DRAIN_MS,
    authTimeoutMs: e.BEACON_AUTH_TIMEOUT_MS,
  };
}
