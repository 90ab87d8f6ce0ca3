import type { CloseCode } from '@beacon/protocol';
import type { HistoryRead, HistoryRule, StreamPosition } from './history.js';
import type { PresenceMember, PresenceStats } from './presence.js';

/**
 * The Router is the one door between producers (the push API, client publishes) and the gateways.
 * In one process it is the LocalRouter below; in a cluster it is backed by the topic-service.
 * Payloads travel as JSON text serialised once by the producer; gateways frame them once.
 */
export type Target =
  | { kind: 'topic'; topic: string }
  | { kind: 'user'; userId: string }
  | { kind: 'client'; clientId: string }
  | { kind: 'broadcast' };

export interface Outbound {
  appId: string;
  /** The `topic` field of the delivered frame: the topic, or an optional label for direct sends. */
  topic: string | undefined;
  dataJson: string;
  id: string;
  ts: number;
  /** On a history topic: the message's place in the topic's stream. */
  offset?: number;
  epoch?: string;
}

export interface PublishReceipt {
  id: string;
  ts: number;
  /** Per history topic of the publish: where the message was put (docs/presence-and-history.md). */
  positions?: Record<string, StreamPosition>;
}

export interface DirectReceipt extends PublishReceipt {
  /** Connections the message was written to. */
  delivered: number;
}

export type DisconnectTarget = { clientId: string } | { userId: string };

export interface TopicCount {
  topic: string;
  subscribers: number;
}

export interface Presence {
  online: boolean;
  connections: number;
}

export interface InterestCount {
  appId: string;
  /** A topic, or a user id. */
  key: string;
  count: number;
}

/** Told when a node's interest changes: a topic's local subscriber count, a user's local connections. */
export interface InterestListener {
  topicInterest(appId: string, topic: string, count: number): void;
  userInterest(appId: string, userId: string, count: number): void;
}

/**
 * A gateway node's own counts, read as fields (for the cluster heartbeat and the dashboard's sampler):
 * gauges as they are now, counters since the node started.
 */
export interface NodeStats {
  /** Open client connections. */
  connections: number;
  /** Topic subscriptions of those connections. */
  subscriptions: number;
  /** Topics with at least one local subscriber. */
  topics: number;
  /** Messages written to client sockets. */
  deliveries: number;
  /** Bytes written to client sockets. */
  deliveredBytes: number;
  /** Messages that reached this node for delivery. */
  messagesRouted: number;
  /** Connections closed by the client. */
  clientCloses: number;
  /** Connections the server closed, per close code (every documented code, 0 when none). */
  serverCloses: Readonly<Record<CloseCode, number>>;
}

/** What a gateway node offers the router. Everything here is synchronous and node-local. */
export interface GatewayNode {
  readonly nodeId: string;
  /** Writes one message to the local recipients of `target`; returns how many got it. */
  deliver(target: Target, message: Outbound): number;
  disconnect(appId: string, target: DisconnectTarget): number;
  topicSubscribers(appId: string, topic: string): number;
  topics(appId: string): IterableIterator<TopicCount>;
  presence(appId: string, userId: string): number;
  connectionCount(appId?: string): number;
  /** The node's whole interest, for a router that needs it (a cluster link sends it on every attach). */
  interest(): { topics: InterestCount[]; users: InterestCount[] };
  watchInterest(listener: InterestListener | undefined): void;
  /** Writes a join/leave frame to the local subscribers of the topic that asked for them; returns how many. */
  deliverPresence(appId: string, topic: string, kind: 'join' | 'leave', member: PresenceMember): number;
  /** The node's counts now; a new object per call (not for the delivery path). */
  stats(): NodeStats;
}

export interface PublishOptions {
  /** Per topic, in the order of `topics`: its history rule, or null when it keeps none. */
  history?: ReadonlyArray<HistoryRule | null>;
}

/** What `presenceJoin` did: added the member, found it there already, or refused it (member limit). */
export type JoinResult = 'joined' | 'present' | 'full';

/**
 * What producers and readers use (the push API, the admin API, a gateway's client publishes and
 * queries): operations on the whole routing service, wherever it runs.
 */
export interface Router {
  publish(
    appId: string,
    topics: readonly string[],
    dataJson: string,
    options?: PublishOptions,
  ): Promise<PublishReceipt>;
  sendToUser(appId: string, userId: string, dataJson: string, topic?: string): Promise<DirectReceipt>;
  sendToClient(appId: string, clientId: string, dataJson: string, topic?: string): Promise<DirectReceipt>;
  broadcast(appId: string, dataJson: string, topic?: string): Promise<DirectReceipt>;
  disconnect(appId: string, target: DisconnectTarget): Promise<number>;
  topicSubscribers(appId: string, topic: string): Promise<number>;
  topics(appId: string, opts?: { prefix?: string; limit?: number }): Promise<TopicCount[]>;
  presence(appId: string, userId: string): Promise<Presence>;
  /** A history topic's retained messages (after `since`, or the newest `limit`) and its position. */
  history(
    appId: string,
    topic: string,
    opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead>;
  presenceMembers(appId: string, topic: string, limit: number): Promise<PresenceMember[]>;
  presenceStats(appId: string, topic: string): Promise<PresenceStats>;
}

/**
 * A gateway node's link to the routing service: the node attaches to it, and its connections join and
 * leave presence topics through it. The push API has no node and never holds one.
 */
export interface NodeLink {
  attach(node: GatewayNode): void;
  detach(node: GatewayNode): void;
  /** Adds a connection to a presence topic's members (at most `limit`); joins are told to subscribers. */
  presenceJoin(
    appId: string,
    topic: string,
    member: PresenceMember,
    nodeId: string,
    limit: number,
  ): Promise<JoinResult>;
  /** Removes a connection from a presence topic's members; the leave is told to subscribers. */
  presenceLeave(appId: string, topic: string, clientId: string): void;
}

/** What a gateway is given: the operations and its node's link (LocalRouter, or GatewayLink in a cluster). */
export type GatewayRouter = Router & NodeLink;

export const ROUTER = Symbol('ROUTER');
