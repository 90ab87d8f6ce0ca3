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
}

export interface PublishReceipt {
  id: string;
  ts: number;
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
}

export interface Router {
  attach(node: GatewayNode): void;
  detach(node: GatewayNode): void;
  publish(appId: string, topics: readonly string[], dataJson: string): Promise<PublishReceipt>;
  sendToUser(appId: string, userId: string, dataJson: string, topic?: string): Promise<DirectReceipt>;
  sendToClient(appId: string, clientId: string, dataJson: string, topic?: string): Promise<DirectReceipt>;
  broadcast(appId: string, dataJson: string, topic?: string): Promise<DirectReceipt>;
  disconnect(appId: string, target: DisconnectTarget): Promise<number>;
  topicSubscribers(appId: string, topic: string): Promise<number>;
  topics(appId: string, opts?: { prefix?: string; limit?: number }): Promise<TopicCount[]>;
  presence(appId: string, userId: string): Promise<Presence>;
}

export const ROUTER = Symbol('ROUTER');
