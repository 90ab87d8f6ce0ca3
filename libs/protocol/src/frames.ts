/**
 * The wire protocol's one typed message map, shared by the gateway, the SDK and the dashboard.
 *
 * Client frames keep firetower's shape `{type, topic, data}`: `type` is a string or one of firetower's
 * numbers, `topic` may list several topics separated by commas, `topics` may be an array instead.
 * An optional `id` (string or number) asks for an `ack` or an `error` answering it.
 */
import type { CloseCode, ErrorCode } from './codes.js';

export type RequestId = string | number;

export type ClientFrameType = 'subscribe' | 'unsubscribe' | 'publish' | 'ping';

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
};

export interface SubscribeFrame {
  type: 'subscribe';
  id?: RequestId;
  topics: string[];
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
export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PublishFrame | PingFrame;

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
export interface MessageFrame {
  type: 'message';
  topic?: string;
  data: unknown;
  id: string;
  ts: number;
}
export interface AckFrame {
  type: 'ack';
  id: RequestId;
  topics?: string[];
  msgId?: string;
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
export type ServerFrame = ConnectedFrame | MessageFrame | AckFrame | ErrorFrame | PongFrame;

export interface CloseInfo {
  code: CloseCode;
  reason: string;
}
