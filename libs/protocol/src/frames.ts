/**
 * The wire protocol's one typed message map, shared by the gateway, the SDK and the dashboard.
 *
 * Client frames keep firetower's shape `{type, topic, data}`: `type` is a string or one of firetower's
 * numbers, `topic` may list several topics separated by commas, `topics` may be an array instead.
 * An optional `id` (string or number) asks for an `ack` or an `error` answering it.
 */
import type { CloseCode, ErrorCode } from './codes.js';

export type RequestId = string | number;

export type ClientFrameType =
  'subscribe' | 'unsubscribe' | 'publish' | 'ping' | 'presence' | 'presence_stats' | 'refresh';

/** firetower's numeric frame types. */
export const FIRETOWER_TYPES: Readonly<Record<number, ClientFrameType>> = {
  1: 'publish',
  2: 'subscribe',
  3: 'unsubscribe',
};

/** Every accepted spelling of a client frame type. */
export const CLIENT_TYPE_ALIASES: Readonly<Record<string, ClientFrameType>> = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  unSubscribe: 'unsubscribe',
  publish: 'publish',
  ping: 'ping',
  presence: 'presence',
  presence_stats: 'presence_stats',
  refresh: 'refresh',
};

/** A place in a history topic's stream: the last offset seen, in the history lifetime `epoch`. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface SubscribeFrame {
  type: 'subscribe';
  id?: RequestId;
  topics: string[];
  /**
   * Recover what was missed on history topics: per topic, the last position seen. On the wire a single
   * topic may give `{offset, epoch}` directly; parsed, it is always keyed by topic.
   */
  since?: Record<string, StreamPosition>;
  /** Deliver `join` / `leave` frames for these topics (presence topics only). */
  joinLeave?: boolean;
}
export interface UnsubscribeFrame {
  type: 'unsubscribe';
  id?: RequestId;
  topics: string[];
}
export interface PublishFrame {
  type: 'publish';
  id?: RequestId;
  topics: string[];
  data: unknown;
}
export interface PingFrame {
  type: 'ping';
  id?: RequestId;
}
/** Who is in a presence topic (the client must be allowed to subscribe to it). */
export interface PresenceRequestFrame {
  type: 'presence';
  id?: RequestId;
  topic: string;
}
export interface PresenceStatsRequestFrame {
  type: 'presence_stats';
  id?: RequestId;
  topic: string;
}
/** A fresh token for this connection (same app and user), so it outlives the first token's `exp`. */
export interface RefreshFrame {
  type: 'refresh';
  id?: RequestId;
  token: string;
}
export type ClientFrame =
  | SubscribeFrame
  | UnsubscribeFrame
  | PublishFrame
  | PingFrame
  | PresenceRequestFrame
  | PresenceStatsRequestFrame
  | RefreshFrame;

export interface ConnectedFrame {
  type: 'connected';
  clientId: string;
  userId: string | null;
  node: string;
  heartbeat: { interval: number; timeout: number };
  limits: {
    maxFrameBytes: number;
    maxTopics: number;
    /** Topics one client publish may name. */
    maxPublishTopics: number;
    maxTopicLength: number;
    publishRate: number;
    publishBurst: number;
  };
}
/** How a delivery was addressed. */
export type MessageKind = 'topic' | 'user' | 'client' | 'broadcast';

export interface MessageFrame {
  type: 'message';
  kind: MessageKind;
  topic?: string;
  data: unknown;
  id: string;
  ts: number;
  /** On history topics: the message's place in the topic's stream. */
  offset?: number;
  epoch?: string;
}
/** Per topic of a subscribe with `since`: whether every missed message was replayed. */
export interface Recovery {
  /** false: the epoch changed or messages were evicted; the app should reload its state. */
  recovered: boolean;
  /** The stream's current position (after any replay). */
  offset: number;
  epoch: string;
}
export interface AckFrame {
  type: 'ack';
  id: RequestId;
  topics?: string[];
  msgId?: string;
  /** Publish acks on history topics: each topic's assigned position. */
  positions?: Record<string, StreamPosition>;
  /** Subscribe acks with `since`: per topic. */
  recovery?: Record<string, Recovery>;
  /** Refresh acks: the new expiry (epoch ms). */
  expiresAt?: number;
}
/** A member of a presence topic: one connection. */
export interface PresenceMember {
  clientId: string;
  userId: string | null;
  /** The token's `info` claim (a JSON object of at most 1 KiB), or null. */
  info: Record<string, unknown> | null;
}
export interface PresenceFrame {
  type: 'presence';
  id?: RequestId;
  topic: string;
  members: PresenceMember[];
}
export interface PresenceStatsFrame {
  type: 'presence_stats';
  id?: RequestId;
  topic: string;
  clients: number;
  users: number;
}
export interface JoinLeaveFrame extends PresenceMember {
  type: 'join' | 'leave';
  topic: string;
}
/**
 * Sent just before a drain close (1012): reconnect after `reconnectAfterMs` (jittered by the server),
 * preferably to another node.
 */
export interface DrainFrame {
  type: 'drain';
  reconnectAfterMs: number;
}
export interface ErrorFrame {
  type: 'error';
  id?: RequestId;
  code: ErrorCode;
  message: string;
  topic?: string;
}
export interface PongFrame {
  type: 'pong';
  id?: RequestId;
  ts: number;
}
export type ServerFrame =
  | ConnectedFrame
  | MessageFrame
  | AckFrame
  | ErrorFrame
  | PongFrame
  | PresenceFrame
  | PresenceStatsFrame
  | JoinLeaveFrame
  | DrainFrame;

export interface CloseInfo {
  code: CloseCode;
  reason: string;
}
