import { splitTopics } from '@beacon/protocol';
import type { DirectReceipt, PublishReceipt, Router, TopicCount } from '@beacon/routing';
import type { z } from 'zod';
import { checkLabel, checkTopics, publishOptions, topicsTarget } from '../checks.js';
import type { ApiApp, PushApiOptions } from '../ports.js';
import { PushApiException, routed } from '../push-api.exception.js';
import type { PushAction } from '../routes.js';
import * as S from '../schemas.js';
import { topicHistory, topicPresence, topicPresenceStats } from '../topic-state.js';

/** One REST call as a handler sees it: no HTTP in here (rest-routes.ts is the transport). */
export interface RestCall {
  app: ApiApp;
  params: Readonly<Record<string, string | undefined>>;
  query: unknown;
  body: unknown;
  /** What the audit record names; set by the handler as soon as it knows (before validating). */
  audit: { target: string | null };
}

export type RestHandler = (call: RestCall) => Promise<object>;

/**
 * The push API v1 operations over REST, one per route of ROUTES (typed over every action, so a route
 * cannot be left without one). Validation: schemas.ts and checks.ts, the same rules as gRPC.
 */
export function restHandlers(router: Router, options: PushApiOptions): Record<PushAction, RestHandler> {
  const maxTopic = options.maxTopicLength;
  const encode = (data: unknown): string => encodeData(data, options.maxMessageBytes);
  return {
    async publish(c): Promise<PublishReceipt> {
      const input = isPublishBody(c.body) ? c.body : parse(S.PublishBody, c.body);
      const fromTopic = input.topic === undefined ? [] : splitTopics(input.topic);
      const listed = input.topics ?? [];
      const all =
        listed.length === 0 ? fromTopic : fromTopic.length === 0 ? listed : [...fromTopic, ...listed];
      c.audit.target = topicsTarget(all);
      if (all.length === 0) throw new PushApiException('invalid_request', 'give "topic" or "topics"');
      const topics = checkTopics(all, maxTopic, 'topic/topics');
      return routed(router.publish(c.app.id, topics, encode(input.data), publishOptions(c.app, topics)));
    },

    async broadcast(c): Promise<DirectReceipt> {
      c.audit.target = '*';
      const input = isDirectBody(c.body) ? c.body : parse(S.DirectBody, c.body);
      return routed(router.broadcast(c.app.id, encode(input.data), checkLabel(input.topic, maxTopic)));
    },

    async 'user.send'(c): Promise<DirectReceipt> {
      const userId = param(c, 'userId', 'user', S.UserIdParam);
      const input = isDirectBody(c.body) ? c.body : parse(S.DirectBody, c.body);
      const label = checkLabel(input.topic, maxTopic);
      return routed(router.sendToUser(c.app.id, userId, encode(input.data), label));
    },

    async 'user.presence'(c): Promise<z.infer<typeof S.Presence>> {
      const userId = param(c, 'userId', 'user', S.UserIdParam);
      return { userId, ...(await routed(router.presence(c.app.id, userId))) };
    },

    async 'user.disconnect'(c): Promise<{ disconnected: number }> {
      const userId = param(c, 'userId', 'user', S.UserIdParam);
      return { disconnected: await routed(router.disconnect(c.app.id, { userId })) };
    },

    async 'client.send'(c): Promise<DirectReceipt> {
      const clientId = param(c, 'clientId', 'client', S.ClientIdParam);
      const input = isDirectBody(c.body) ? c.body : parse(S.DirectBody, c.body);
      const label = checkLabel(input.topic, maxTopic);
      const receipt = await routed(router.sendToClient(c.app.id, clientId, encode(input.data), label));
      if (receipt.delivered === 0)
        throw new PushApiException('client_not_found', `client ${clientId} is not connected`);
      return receipt;
    },

    async 'client.disconnect'(c): Promise<{ disconnected: number }> {
      const clientId = param(c, 'clientId', 'client', S.ClientIdParam);
      return { disconnected: await routed(router.disconnect(c.app.id, { clientId })) };
    },

    async 'topics.list'(c): Promise<{ topics: TopicCount[] }> {
      const q = parse(S.TopicsQuery, c.query);
      if (q.prefix !== undefined) c.audit.target = `prefix:${q.prefix}`;
      return { topics: await routed(router.topics(c.app.id, q)) };
    },

    async 'topic.presence'(c) {
      const topic = param(c, 'topic', 'topic', S.TopicParam);
      return topicPresence(router, c.app, topic, maxTopic);
    },

    async 'topic.presence_stats'(c) {
      const topic = param(c, 'topic', 'topic', S.TopicParam);
      return topicPresenceStats(router, c.app, topic, maxTopic);
    },

    async 'topic.history'(c) {
      const topic = param(c, 'topic', 'topic', S.TopicParam);
      const q = parse(S.HistoryQuery, c.query ?? {});
      const since = q.since === undefined ? undefined : { offset: q.since, epoch: q.epoch ?? '' };
      const h = await topicHistory(router, c.app, topic, maxTopic, { since, limit: q.limit });
      // `data` is the stored JSON text: parsed here to be embedded in the reply (history reads are rare).
      return {
        ...h,
        messages: h.messages.map((m) => ({
          id: m.id,
          ts: m.ts,
          data: JSON.parse(m.dataJson) as unknown,
          offset: m.offset,
        })),
      };
    },

    async 'topics.subscribers'(c): Promise<{ topics: TopicCount[] }> {
      const topic = (c.query as Record<string, unknown> | undefined)?.topic;
      const raw = typeof topic === 'string' ? [topic] : Array.isArray(topic) ? (topic as unknown[]) : [];
      const all = raw.flatMap((t) => (typeof t === 'string' ? splitTopics(t) : ['']));
      c.audit.target = topicsTarget(all);
      if (all.length === 0)
        throw new PushApiException(
          'invalid_request',
          'give 1 to 100 topics as ?topic=a&topic=b or ?topic=a,b',
        );
      const topics = checkTopics(all, maxTopic, 'topic');
      const counts = await routed(Promise.all(topics.map((t) => router.topicSubscribers(c.app.id, t))));
      return { topics: topics.map((t, i) => ({ topic: t, subscribers: counts[i] ?? 0 })) };
    },
  };
}

type Publish = z.infer<typeof S.PublishBody>;
type Direct = z.infer<typeof S.DirectBody>;

/**
 * The common case of S.PublishBody checked by hand (zod walks all of `data` for z.json(), which a value
 * from JSON.parse always satisfies). Anything else goes through the schema, which also words the error.
 */
function isPublishBody(b: unknown): b is Publish {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return false;
  const o = b as Record<string, unknown>;
  let n = 0;
  if (o.topic !== undefined) {
    if (typeof o.topic !== 'string') return false;
    n++;
  }
  if (o.topics !== undefined) {
    const t = o.topics;
    if (!Array.isArray(t) || t.length > 100 || !t.every((x) => typeof x === 'string')) return false;
    n++;
  }
  return o.data !== undefined && Object.keys(o).length === n + 1;
}

function isDirectBody(b: unknown): b is Direct {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return false;
  const o = b as Record<string, unknown>;
  const labelled = o.topic !== undefined;
  if (labelled && typeof o.topic !== 'string') return false;
  return o.data !== undefined && Object.keys(o).length === (labelled ? 2 : 1);
}

/** Serialises the payload once; every gateway and recipient reuses this text. */
function encodeData(data: unknown, maxBytes: number): string {
  const json = JSON.stringify(data);
  // UTF-8 is at most 3 bytes per UTF-16 code unit: measure only when the length alone cannot decide.
  if (json.length > maxBytes || (json.length * 3 > maxBytes && Buffer.byteLength(json) > maxBytes)) {
    throw new PushApiException('payload_too_large', `"data" is larger than ${maxBytes} bytes`);
  }
  return json;
}

/** A path parameter: named in the audit target first, then validated. */
function param(c: RestCall, name: string, kind: string, schema: z.ZodType<string>): string {
  const value = c.params[name] ?? '';
  c.audit.target = `${kind}:${value.slice(0, 512)}`;
  return parse(schema, value, name);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, name = ''): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const path = (p: PropertyKey[]) => [name, ...p.map(String)].filter((s) => s !== '').join('.') || 'value';
  throw new PushApiException(
    'invalid_request',
    r.error.issues.map((i) => `${path(i.path)}: ${i.message}`).join('; '),
    {
      errors: r.error.issues.map((i) => ({ path: path(i.path), message: i.message })),
    },
  );
}
