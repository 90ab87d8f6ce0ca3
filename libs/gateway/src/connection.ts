import type { Duplex } from 'node:stream';
import type { TopicMatcher } from '@beacon/protocol';
import { NO_POLICY, type AppPolicy } from '@beacon/routing';
import type { WebSocket } from 'ws';
import type { ClientInfo } from './hooks.js';
import { TokenBucket } from './token-bucket.js';

/** Stands for a binary frame in the inbox (its bytes are never read). */
export const BINARY_FRAME = Buffer.alloc(0);

export const enum ConnState {
  Authenticating,
  Open,
  Closing,
}

export interface Identity {
  appId: string;
  appKey: string;
  userId: string | null;
  claims: Record<string, unknown>;
  canSubscribe: TopicMatcher;
  canPublish: TopicMatcher;
  /** Token expiry in epoch ms; 0 when the client is anonymous. */
  expiresAt: number;
  /** `kid` of the token key that verified the token; null when the client is anonymous. */
  keyId: string | null;
  /** The token's `info` claim (a JSON object of at most 1 KiB), or null. */
  info: Record<string, unknown> | null;
}

/** A connection's own limits: the process-wide ones, or its app's overrides once it is authenticated. */
export interface ConnectionLimits {
  maxTopics: number;
  /** Largest client publish `data` once serialised (never above the frame limit). */
  maxDataBytes: number;
  publishRate: number;
  publishBurst: number;
}

/** One client connection: its socket, identity, subscriptions and per-connection budgets. */
export class Connection implements ClientInfo {
  state = ConnState.Authenticating;
  appId = '';
  appKey = '';
  userId: string | null = null;
  claims: Record<string, unknown> = {};
  canSubscribe: TopicMatcher | null = null;
  canPublish: TopicMatcher | null = null;
  expiresAt = 0;
  keyId: string | null = null;
  readonly topics = new Set<string>();
  /** When the socket was accepted (epoch ms), and the client's User-Agent header (cut to 256 characters). */
  readonly connectedAt: number;
  userAgent: string | null = null;
  /** Frames received and queued for the socket, and their bytes (for the operators' connection page). */
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  /** The token's `info` claim, shown in presence; null without one. */
  info: Record<string, unknown> | null = null;
  /** Speaks firetower's server frames (app setting serverFrames): deliveries, heartbeats, no `connected`. */
  firetower = false;
  /** The app's history and presence rules (swapped when the app changes). */
  policy: AppPolicy = NO_POLICY;
  /** Topics whose join/leave frames this connection asked for (`joinLeave: true`); null: none. */
  joinLeave: Set<string> | null = null;
  /** Presence topics this connection is a member of, to leave them at unsubscribe and close. */
  presenceTopics: Set<string> | null = null;
  /**
   * History topics being recovered or positioned: live deliveries wait here (with their offsets) until
   * the replay is written, so the client sees no gap and no duplicate. Null when nothing is recovering.
   */
  recovering: Map<string, Array<{ offset: number; frame: Buffer }>> | null = null;

  lastSeen: number;
  lastPing: number;
  /** When the outbound buffer was first seen non-empty without draining since; 0 when drained. */
  pendingSince = 0;
  /** Cancels the pending authentication timeout or close grace (a Clock timer); undefined when none. */
  closeTimer: (() => void) | undefined;
  /** Deliveries framed this event-loop turn, written together (one writev) when the turn ends. */
  readonly pending: Buffer[] = [];
  pendingBytes = 0;

  /**
   * Inbound frames waiting while the connection authenticates or an async hook runs (`busy`); bounded
   * in count and bytes (BEACON_INBOX_FRAMES, BEACON_INBOX_BYTES). Binary frames wait as BINARY_FRAME.
   */
  readonly inbox: Buffer[] = [];
  inboxBytes = 0;
  busy = false;
  /** The app whose admission slot this connection holds, until it is given back (exactly once). */
  slot: string | null = null;
  /** The close the server made, once it made one; the close hooks see it rather than the client's echo. */
  closedWith: { code: number; reason: string } | null = null;

  readonly frames: TokenBucket;
  publishes: TokenBucket;
  limits: ConnectionLimits;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    /** The TCP socket under `ws`; deliveries are written to it pre-framed. */
    readonly raw: Duplex,
    readonly remoteAddress: string,
    limits: { frameRate: number; frameBurst: number } & ConnectionLimits,
    now: number,
  ) {
    this.connectedAt = now;
    this.lastSeen = now;
    this.lastPing = now;
    this.frames = new TokenBucket(limits.frameRate, limits.frameBurst, now);
    this.limits = {
      maxTopics: limits.maxTopics,
      maxDataBytes: limits.maxDataBytes,
      publishRate: limits.publishRate,
      publishBurst: limits.publishBurst,
    };
    this.publishes = new TokenBucket(limits.publishRate, limits.publishBurst, now);
  }

  /** Its app's limits: the publish budget restarts full only when its rate or burst changes. */
  applyLimits(limits: ConnectionLimits, now: number): void {
    const budgetChanged =
      limits.publishRate !== this.limits.publishRate || limits.publishBurst !== this.limits.publishBurst;
    this.limits = limits;
    if (budgetChanged) this.publishes = new TokenBucket(limits.publishRate, limits.publishBurst, now);
  }

  maySubscribe(topic: string): boolean {
    return this.canSubscribe !== null && this.canSubscribe.matches(topic);
  }

  mayPublish(topic: string): boolean {
    return this.canPublish !== null && this.canPublish.matches(topic);
  }

  identify(who: Identity): void {
    this.appId = who.appId;
    this.appKey = who.appKey;
    this.userId = who.userId;
    this.claims = who.claims;
    this.canSubscribe = who.canSubscribe;
    this.canPublish = who.canPublish;
    this.expiresAt = who.expiresAt;
    this.keyId = who.keyId;
    this.info = who.info;
  }
}
