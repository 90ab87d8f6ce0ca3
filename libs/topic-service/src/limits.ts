import { isValidTopic } from '@beacon/protocol';
import { nodeOfClient } from '@beacon/routing';
import { TopicServiceException } from './topic-service.exception.js';

/** Every bound the topic-service enforces; docs/topic-service.md explains each. */
export interface TopicServiceLimits {
  /** Longest topic accepted (the gateways' BEACON_MAX_TOPIC_LENGTH is at most this). */
  maxTopicLength: number;
  /** Longest app id and user id accepted. */
  maxIdLength: number;
  /** Topics in one Publish. */
  maxTopicsPerPublish: number;
  /** Topics in one TopicSubscribers request. */
  maxTopicsPerQuery: number;
  /** Largest ListTopics limit (the default limit is 1000). */
  maxListLimit: number;
  /** Entries (topics + users) in one snapshot or delta. */
  maxEntriesPerInterest: number;
  /** Entries (topics + users) a gateway may hold in total. */
  maxEntriesPerGateway: number;
  /** Messages waiting to be written to one gateway before it is dropped as slow. */
  maxQueuedPerGateway: number;
  /** The same bound in bytes (payload and names of each message waiting). */
  maxQueuedBytesPerGateway: number;
}

export const DEFAULT_TOPIC_SERVICE_LIMITS: TopicServiceLimits = {
  maxTopicLength: 1024,
  maxIdLength: 256,
  maxTopicsPerPublish: 100,
  maxTopicsPerQuery: 1000,
  maxListLimit: 10_000,
  maxEntriesPerInterest: 200_000,
  maxEntriesPerGateway: 1_000_000,
  maxQueuedPerGateway: 50_000,
  maxQueuedBytesPerGateway: 32 * 1024 * 1024,
};

export const DEFAULT_LIST_LIMIT = 1000;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** App ids and user ids: opaque, non-empty, bounded, no control characters. */
export function isValidId(id: unknown, maxLength: number): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= maxLength && !CONTROL.test(id);
}

export function isValidTopicName(topic: unknown, limits: TopicServiceLimits): topic is string {
  return isValidTopic(topic, limits.maxTopicLength);
}

function invalid(message: string): TopicServiceException {
  return new TopicServiceException('invalid_argument', message);
}

/**
 * The topics of a publish, deduplicated, or null when there are none, more than `max`, or one is
 * invalid (a publish is accepted or refused whole).
 */
export function validTopics(limits: TopicServiceLimits, topics: unknown, max: number): string[] | null {
  if (!Array.isArray(topics) || topics.length === 0 || topics.length > max) return null;
  const list = topics.length === 1 ? (topics as unknown[]) : [...new Set<unknown>(topics)];
  for (const t of list) if (!isValidTopicName(t, limits)) return null;
  return list as string[];
}

/** Request checks for the unary RPCs: each returns the valid value or throws `invalid_argument`. */
export const requireValid = {
  appId(limits: TopicServiceLimits, appId: unknown): string {
    if (!isValidId(appId, limits.maxIdLength)) throw invalid('app_id: missing or invalid');
    return appId;
  },
  userId(limits: TopicServiceLimits, userId: unknown): string {
    if (!isValidId(userId, limits.maxIdLength)) throw invalid('user_id: missing or invalid');
    return userId;
  },
  topics(limits: TopicServiceLimits, topics: readonly string[] | undefined | null, max: number): string[] {
    const list = [...new Set(topics ?? [])];
    if (list.length > max) throw invalid(`topics: at most ${max} per request`);
    const bad = list.find((t) => !isValidTopicName(t, limits));
    if (bad !== undefined) throw invalid(`topics: invalid topic ${JSON.stringify(String(bad).slice(0, 64))}`);
    return list;
  },
  /** The node id of a client's gateway. */
  clientNode(clientId: unknown): string {
    const nodeId = typeof clientId === 'string' ? nodeOfClient(clientId) : null;
    if (nodeId === null) throw invalid('client_id: expected c<nodeId>.<n>');
    return nodeId;
  },
  data(dataJson: Buffer | undefined | null): Buffer {
    if (dataJson === undefined || dataJson === null || dataJson.length === 0) {
      throw invalid('data_json: the JSON payload is required');
    }
    return dataJson;
  },
  invalid,
};
