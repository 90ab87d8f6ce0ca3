import type { ConnectedFrame, MessageFrame, PresenceMember, StreamPosition } from '@beacon/protocol';
import type { BeaconError } from './errors.js';

/**
 * What the SDK needs of a WebSocket: the browser's `WebSocket`, Node 22's global one, or `ws` (Node 20
 * has no global WebSocket). Only the `on*` properties are used, never `addEventListener`.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // Handlers take `never` so that every implementation's own event types fit; the SDK reads `data` of a
  // message event and `code`/`reason` of a close event.
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ReconnectOptions {
  /** First retry's upper bound, ms (default 500). */
  minDelayMs?: number;
  /** No retry waits longer, ms (default 30000). */
  maxDelayMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** Full jitter: wait a uniformly random time in [0, bound] (default true). Off: wait the bound. */
  jitter?: boolean;
  /** Give up (state `disconnected`) after this many failed attempts in a row (default Infinity). */
  maxAttempts?: number;
}

export interface BeaconOptions {
  /** The gateway's WebSocket endpoint, e.g. `wss://push.example.com/ws`; several are tried in turn. */
  url: string | string[];
  /** The app's public key. */
  app: string;
  /** A fixed token (JWT). With it alone, a token rejected or expired ends the connection for good. */
  token?: string;
  /** Called for a token at connect, before the token's `exp`, and after a 4001/4002 close. */
  getToken?: () => string | Promise<string>;
  /** A WebSocket implementation (`ws` on Node 20). Default: the global `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Retry policy; `false` never reconnects. */
  reconnect?: ReconnectOptions | false;
  /** How long `publish`, `presence` and `presenceStats` wait for the server's answer, ms (default 10000). */
  requestTimeoutMs?: number;
  /** How long a connection may take to get `connected`, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Refresh the token this long before its `exp`, ms (default 60000; at most half its remaining life). */
  refreshBeforeExpMs?: number;
  /** Connect at once (default true); otherwise call `connect()`. */
  autoConnect?: boolean;
}

export type State = 'connecting' | 'connected' | 'disconnected';

/** A delivery, as the server sent it. `kind` is how it was addressed. */
export type Message = MessageFrame;

export interface DisconnectInfo {
  /** The close code (1006 when the connection was lost without one; 4009 for a heartbeat timeout seen by the SDK). */
  code: number;
  reason: string;
  /** When the SDK will try again, ms; null when it will not (state `disconnected`). */
  reconnectInMs: number | null;
}

export interface SubscribedInfo {
  /** false the first time, true after a reconnect. */
  resubscribed: boolean;
  /**
   * Only on a resubscribe with a known position (history topics): true when every missed message was
   * replayed (and is delivered next, once each, in order); false when some are gone — reload the state.
   */
  recovered?: boolean;
}

export interface SubscriptionHandlers {
  message?(msg: Message): void;
  /** Every time the server confirmed the subscription. */
  subscribed?(info: SubscribedInfo): void;
  /** The server refused the subscription; it is over (`unsubscribe` is not needed). */
  error?(err: BeaconError): void;
  /** A member joined / left (presence topics); asks the server for join/leave frames. */
  join?(member: PresenceMember): void;
  leave?(member: PresenceMember): void;
}

export interface PublishResult {
  msgId?: string;
  /** History topics: the message's place in the stream. */
  position?: StreamPosition;
}

export interface PresenceStats {
  clients: number;
  users: number;
}

export interface BeaconEvents {
  state: (state: State, previous: State) => void;
  connected: (info: ConnectedFrame) => void;
  disconnected: (info: DisconnectInfo) => void;
  /** Messages not for a subscription: addressed to the user, the client, or everyone. */
  message: (msg: Message) => void;
  /** Errors that answer no call: a token that could not be fetched, an error frame without an id. */
  error: (err: BeaconError) => void;
}
