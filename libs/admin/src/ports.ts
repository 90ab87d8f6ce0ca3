/**
 * The seams between the admin capability and the platform it watches. Each has a single-process
 * implementation (reading this process's hub and router) and a cluster one (asking the topic-service,
 * which aggregates the gateways), so the admin API and the dashboard are the same in both deployments.
 */
import type { StatsHistory, StatsSnapshot } from '@beacon/admin-api';

/**
 * Live statistics: ONE aggregation per process feeds every open dashboard. Snapshots are bounded
 * (top-N lists), about one per second; the history ring holds about 15 minutes.
 */
export interface LiveStats {
  history(): StatsHistory;
  /** Called with each new snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: StatsSnapshot) => void): () => void;
}

export interface TopicSummary {
  appId: string;
  topic: string;
  subscribers: number;
  messagesPerSec: number;
}

export interface TopicQuery {
  /** An app id (the admin layer resolves app keys). */
  appId?: string;
  prefix?: string;
  sort: 'subscribers' | 'rate';
  /** Rank of the first row (cursors are offsets: the ranking itself moves live). */
  offset: number;
  limit: number;
}

/** A message seen by a tail, its payload as the producer's JSON text. */
export interface TailedMessage {
  id: string;
  ts: number;
  dataJson: string;
}

export interface TopicDirectory {
  list(q: TopicQuery): Promise<{ items: TopicSummary[]; total: number | null }>;
  detail(
    appId: string,
    topic: string,
  ): Promise<(TopicSummary & { nodes: Array<{ nodeId: string; subscribers: number }> }) | null>;
  /**
   * Observes the topic's messages without slowing delivery (a bounded, lossy tap); returns the stop
   * function. The admin layer rate-bounds what reaches each viewer.
   */
  tail(appId: string, topic: string, listener: (m: TailedMessage) => void): () => void;
}

export interface ConnectionSummary {
  clientId: string;
  appId: string;
  userId: string | null;
  nodeId: string;
  connectedAt: number;
  remoteAddress: string;
  topics: number;
}

export interface ConnectionDetails extends ConnectionSummary {
  topicList: string[];
  userAgent: string | null;
  info: Record<string, unknown> | null;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ConnectionQuery {
  appId?: string;
  userId?: string;
  clientId?: string;
  topic?: string;
  /** Opaque, from the previous page. */
  cursor?: string;
  limit: number;
}

export interface ConnectionDirectory {
  find(
    q: ConnectionQuery,
  ): Promise<{ items: ConnectionSummary[]; nextCursor: string | null; total: number | null }>;
  get(clientId: string): Promise<ConnectionDetails | null>;
}

export const LIVE_STATS = Symbol('LIVE_STATS');
export const TOPIC_DIRECTORY = Symbol('TOPIC_DIRECTORY');
export const CONNECTION_DIRECTORY = Symbol('CONNECTION_DIRECTORY');
