import type { Duplex } from 'node:stream';
import type { TopicMatcher } from '@beacon/protocol';
import type { WebSocket } from 'ws';
import type { ClientInfo } from './hooks.js';
import { TokenBucket } from './token-bucket.js';

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
  readonly topics = new Set<string>();

  lastSeen: number;
  lastPing: number;
  /** When the outbound buffer was first seen non-empty without draining since; 0 when drained. */
  pendingSince = 0;
  closeTimer: NodeJS.Timeout | undefined;
  /** Deliveries framed this event-loop turn, written together (one writev) when the turn ends. */
  readonly pending: Buffer[] = [];
  pendingBytes = 0;

  /** Inbound frames waiting for the one being handled (hooks may be async); bounded by the gateway. */
  readonly inbox: Array<Buffer | string> = [];
  busy = false;

  readonly frames: TokenBucket;
  readonly publishes: TokenBucket;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    /** The TCP socket under `ws`; deliveries are written to it pre-framed. */
    readonly raw: Duplex,
    readonly remoteAddress: string,
    limits: { frameRate: number; frameBurst: number; publishRate: number; publishBurst: number },
    now: number,
  ) {
    this.lastSeen = now;
    this.lastPing = now;
    this.frames = new TokenBucket(limits.frameRate, limits.frameBurst, now);
    this.publishes = new TokenBucket(limits.publishRate, limits.publishBurst, now);
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
  }
}
