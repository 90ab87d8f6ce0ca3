import {
  appPolicy,
  type DirectReceipt,
  type Presence,
  type PresenceMember,
  type PresenceStats,
  type PublishReceipt,
  type Router,
  type StreamPosition,
  type TopicCount,
} from '@beacon/routing';
import { checkLabel, checkSchema, checkTopics, publishOptions, topicsTarget } from './checks.js';
import type { ApiApp, PushApiOptions } from './ports.js';
import {
  isRefusal,
  refusalOf,
  routingRefusal,
  type AuditScope,
  type PushCall,
  type Refusal,
} from './push-call.js';
import { PushApiException } from './push-api.exception.js';
import * as S from './schemas.js';

/** What the use cases need of the router: its publishing and reading operations, nothing of a node's. */
export type PushRouter = Pick<
  Router,
  | 'publish'
  | 'broadcast'
  | 'sendToUser'
  | 'sendToClient'
  | 'disconnect'
  | 'presence'
  | 'topics'
  | 'topicSubscribers'
  | 'presenceMembers'
  | 'presenceStats'
  | 'history'
>;

/**
 * How one transport carries what the use cases cannot know: the payload's form and the names its
 * refusals give fields (each transport words them as its clients send them: `userId` in a REST path,
 * `user_id` in a proto message).
 */
export interface PushWire<D> {
  /** The payload as the JSON text routed to clients; `payload_too_large` past `maxBytes` (UTF-8). */
  encode(data: D, maxBytes: number): string;
  readonly fields: { publishTopics: string; subscriberTopics: string; userId: string; clientId: string };
  /** The detail of a publish, and of a subscriber count, naming no topic. */
  readonly noTopics: { publish: string; subscribers: string };
}

/** A direct send's payload and optional `topic` label, as the transport read them. */
export interface DirectInput<D> {
  readonly data: D;
  readonly topic?: string | undefined;
}

export const HISTORY_LIMIT = { default: 100, max: 1000 } as const;

export interface HistoryOptions {
  since?: StreamPosition | undefined;
  limit?: number | undefined;
}

export interface TopicHistory {
  topic: string;
  messages: Array<{ id: string; ts: number; dataJson: string; offset: number }>;
  position: StreamPosition;
  recovered: boolean;
}

/**
 * The push API v1 operations, transport-free: REST (rest/handlers.ts) and gRPC
 * (grpc/push.grpc-controller.ts) read their input, call one of these and word its answer, so validation,
 * refusals (docs/errors.md) and the audit target are written once, here.
 *
 * Each names the audit target first (before validating, so a refused call is audited against what it was
 * about), then checks its input in a fixed order, routes, and answers its result or a Refusal; it throws
 * only on a bug. An input the transport already refused reading (REST: a body of the wrong shape, a bad
 * query) arrives as that refusal and is answered at the point of the order where the transport read it.
 */
export class PushUseCases<D> {
  private readonly maxTopic: number | undefined;
  private readonly maxBytes: number;

  constructor(
    private readonly router: PushRouter,
    private readonly wire: PushWire<D>,
    options: PushApiOptions,
  ) {
    this.maxTopic = options.maxTopicLength;
    this.maxBytes = options.maxMessageBytes;
  }

  /** `publish`: 1-100 topics (deduplicated), the payload; the receipt with history positions. */
  async publish(
    app: ApiApp,
    topics: readonly string[],
    data: D,
    audit: AuditScope,
  ): Promise<PushCall<PublishReceipt>> {
    audit.target = topicsTarget(topics);
    let checked: string[];
    let json: string;
    try {
      if (topics.length === 0) return new PushApiException('invalid_request', this.wire.noTopics.publish);
      checked = checkTopics(topics, this.maxTopic, this.wire.fields.publishTopics);
      json = this.wire.encode(data, this.maxBytes);
    } catch (err) {
      return refusalOf(err);
    }
    // The hottest call: the router's promise awaited here, with no helper's promise around it.
    const routed = this.router.publish(app.id, checked, json, publishOptions(app, checked));
    try {
      return await routed;
    } catch (err) {
      return routingRefusal(err);
    }
  }

  /** `broadcast`: every client of the app. */
  async broadcast(
    app: ApiApp,
    input: PushCall<DirectInput<D>>,
    audit: AuditScope,
  ): Promise<PushCall<DirectReceipt>> {
    audit.target = '*';
    try {
      if (isRefusal(input)) return input;
      const label = checkLabel(input.topic, this.maxTopic);
      return await routed(this.router.broadcast(app.id, this.wire.encode(input.data, this.maxBytes), label));
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `user.send`: every connection of one user. */
  async sendToUser(
    app: ApiApp,
    userId: string,
    input: PushCall<DirectInput<D>>,
    audit: AuditScope,
  ): Promise<PushCall<DirectReceipt>> {
    audit.target = `user:${userId.slice(0, 512)}`;
    try {
      const id = this.userId(userId);
      if (isRefusal(input)) return input;
      const label = checkLabel(input.topic, this.maxTopic);
      const json = this.wire.encode(input.data, this.maxBytes);
      return await routed(this.router.sendToUser(app.id, id, json, label));
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `client.send`: one connection; `client_not_found` when no connection took it. */
  async sendToClient(
    app: ApiApp,
    clientId: string,
    input: PushCall<DirectInput<D>>,
    audit: AuditScope,
  ): Promise<PushCall<DirectReceipt>> {
    audit.target = `client:${clientId.slice(0, 512)}`;
    try {
      const id = this.clientId(clientId);
      if (isRefusal(input)) return input;
      const label = checkLabel(input.topic, this.maxTopic);
      const json = this.wire.encode(input.data, this.maxBytes);
      const receipt = await routed(this.router.sendToClient(app.id, id, json, label));
      if (!isRefusal(receipt) && receipt.delivered === 0)
        return new PushApiException('client_not_found', `client ${id} is not connected`);
      return receipt;
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `user.presence`: is the user online, on how many connections. */
  async userPresence(
    app: ApiApp,
    userId: string,
    audit: AuditScope,
  ): Promise<PushCall<{ userId: string } & Presence>> {
    audit.target = `user:${userId.slice(0, 512)}`;
    try {
      const id = this.userId(userId);
      const presence = await routed(this.router.presence(app.id, id));
      return isRefusal(presence) ? presence : { userId: id, ...presence };
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `user.disconnect`: closes every connection of the user (4010). */
  async disconnectUser(
    app: ApiApp,
    userId: string,
    audit: AuditScope,
  ): Promise<PushCall<{ disconnected: number }>> {
    audit.target = `user:${userId.slice(0, 512)}`;
    try {
      const id = this.userId(userId);
      return await disconnected(this.router.disconnect(app.id, { userId: id }));
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `client.disconnect`: closes one connection (4010). */
  async disconnectClient(
    app: ApiApp,
    clientId: string,
    audit: AuditScope,
  ): Promise<PushCall<{ disconnected: number }>> {
    audit.target = `client:${clientId.slice(0, 512)}`;
    try {
      const id = this.clientId(clientId);
      return await disconnected(this.router.disconnect(app.id, { clientId: id }));
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `topics.list`: `{ prefix?, limit? }` (S.TopicsQuery, nothing else); busiest topics first. */
  async listTopics(
    app: ApiApp,
    query: unknown,
    audit: AuditScope,
  ): Promise<PushCall<{ topics: TopicCount[] }>> {
    const prefix = (query as { prefix?: unknown } | null | undefined)?.prefix;
    if (typeof prefix === 'string') audit.target = `prefix:${prefix.slice(0, 512)}`;
    try {
      const q = checkSchema(S.TopicsQuery, query);
      const topics = await routed(this.router.topics(app.id, q));
      return isRefusal(topics) ? topics : { topics };
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `topics.subscribers`: the online count of 1-100 topics, in order. */
  async topicSubscribers(
    app: ApiApp,
    topics: readonly string[],
    audit: AuditScope,
  ): Promise<PushCall<{ topics: TopicCount[] }>> {
    audit.target = topicsTarget(topics);
    try {
      if (topics.length === 0) return new PushApiException('invalid_request', this.wire.noTopics.subscribers);
      const checked = checkTopics(topics, this.maxTopic, this.wire.fields.subscriberTopics);
      const counts = await routed(Promise.all(checked.map((t) => this.router.topicSubscribers(app.id, t))));
      if (isRefusal(counts)) return counts;
      return { topics: checked.map((topic, i) => ({ topic, subscribers: counts[i] ?? 0 })) };
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `topic.presence`: a presence topic's members, at most the app's member limit. */
  async topicPresence(
    app: ApiApp,
    topic: string,
    audit: AuditScope,
    unread?: Refusal,
  ): Promise<PushCall<{ topic: string; members: PresenceMember[] }>> {
    audit.target = `topic:${topic.slice(0, 512)}`;
    try {
      if (unread !== undefined) return unread;
      const t = this.presenceTopic(app, topic);
      const limit = appPolicy(app.settings ?? {}).presenceMaxMembers;
      const members = await routed(this.router.presenceMembers(app.id, t, limit));
      return isRefusal(members) ? members : { topic: t, members };
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `topic.presence_stats`: a presence topic's member count and distinct users. */
  async topicPresenceStats(
    app: ApiApp,
    topic: string,
    audit: AuditScope,
    unread?: Refusal,
  ): Promise<PushCall<{ topic: string } & PresenceStats>> {
    audit.target = `topic:${topic.slice(0, 512)}`;
    try {
      if (unread !== undefined) return unread;
      const t = this.presenceTopic(app, topic);
      const stats = await routed(this.router.presenceStats(app.id, t));
      return isRefusal(stats) ? stats : { topic: t, ...stats };
    } catch (err) {
      return refusalOf(err);
    }
  }

  /** `topic.history`: a history topic's retained messages after `since`, or the newest `limit`. */
  async topicHistory(
    app: ApiApp,
    topic: string,
    opts: PushCall<HistoryOptions>,
    audit: AuditScope,
  ): Promise<PushCall<TopicHistory>> {
    audit.target = `topic:${topic.slice(0, 512)}`;
    try {
      if (isRefusal(opts)) return opts;
      const [t] = checkTopics([topic], this.maxTopic, 'topic') as [string];
      if (appPolicy(app.settings ?? {}).history(t) === null)
        return new PushApiException('no_history', `the app keeps no history on ${JSON.stringify(t)}`);
      const limit = opts.limit ?? HISTORY_LIMIT.default;
      if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT.max)
        return new PushApiException('invalid_request', `limit: an integer from 1 to ${HISTORY_LIMIT.max}`);
      const since = opts.since;
      const read = await routed(
        this.router.history(app.id, t, since === undefined ? { limit } : { since, limit }),
      );
      if (isRefusal(read)) return read;
      return { topic: t, messages: read.messages, position: read.position, recovered: read.recovered };
    } catch (err) {
      return refusalOf(err);
    }
  }

  private userId(userId: string): string {
    return checkSchema(S.UserIdParam, userId, this.wire.fields.userId);
  }

  private clientId(clientId: string): string {
    return checkSchema(S.ClientIdParam, clientId, this.wire.fields.clientId);
  }

  private presenceTopic(app: ApiApp, topic: string): string {
    const [t] = checkTopics([topic], this.maxTopic, 'topic') as [string];
    if (!appPolicy(app.settings ?? {}).presence(t))
      throw new PushApiException('no_presence', `the app has no presence on ${JSON.stringify(t)}`);
    return t;
  }
}

/** A router call's result, or its failure as a refusal (`unavailable`). */
async function routed<T>(p: Promise<T>): Promise<T | Refusal> {
  try {
    return await p;
  } catch (err) {
    return routingRefusal(err);
  }
}

async function disconnected(p: Promise<number>): Promise<PushCall<{ disconnected: number }>> {
  const n = await routed(p);
  return typeof n === 'number' ? { disconnected: n } : n;
}
