import { splitTopics } from '@beacon/protocol';
import type { DirectReceipt, PublishReceipt, TopicCount } from '@beacon/routing';
import type { z } from 'zod';
import { checkSchema } from '../checks.js';
import type { ApiApp, PushApiOptions } from '../ports.js';
import { isRefusal, refusalOf, type PushCall, type Refusal } from '../push-call.js';
import { PushApiException } from '../push-api.exception.js';
import {
  PushUseCases,
  type DirectInput,
  type HistoryOptions,
  type PushRouter,
  type PushWire,
} from '../push-use-cases.js';
import type { PushAction } from '../routes.js';
import * as S from '../schemas.js';

/** One REST call as a handler sees it: no HTTP in here (rest-routes.ts is the transport). */
export interface RestCall {
  app: ApiApp;
  params: Readonly<Record<string, string | undefined>>;
  query: unknown;
  body: unknown;
  /** What the audit record names; set by the use case as soon as it knows (before validating). */
  audit: { target: string | null };
}

export type RestHandler = (call: RestCall) => Promise<object>;

/** REST's side of the use cases: `data` is any JSON value, serialised once; fields named as sent. */
const REST_WIRE: PushWire<unknown> = {
  encode: encodeData,
  fields: {
    publishTopics: 'topic/topics',
    subscriberTopics: 'topic',
    userId: 'userId',
    clientId: 'clientId',
  },
  noTopics: {
    publish: 'give "topic" or "topics"',
    subscribers: 'give 1 to 100 topics as ?topic=a&topic=b or ?topic=a,b',
  },
};

/**
 * The push API v1 operations over REST, one per route of ROUTES (typed over every action, so a route
 * cannot be left without one). Each reads what only REST has (the JSON body's shape, path parameters,
 * query strings), calls its use case (push-use-cases.ts, shared with gRPC) and answers its result or
 * throws its refusal, which rest-routes.ts words as problem JSON.
 */
export function restHandlers(router: PushRouter, options: PushApiOptions): Record<PushAction, RestHandler> {
  const uc = new PushUseCases(router, REST_WIRE, options);
  return {
    async publish(c): Promise<PublishReceipt> {
      const input = isPublishBody(c.body) ? c.body : checkSchema(S.PublishBody, c.body);
      const fromTopic = input.topic === undefined ? [] : splitTopics(input.topic);
      const listed = input.topics ?? [];
      const all =
        listed.length === 0 ? fromTopic : fromTopic.length === 0 ? listed : [...fromTopic, ...listed];
      return answer(await uc.publish(c.app, all, input.data, c.audit));
    },

    async broadcast(c): Promise<DirectReceipt> {
      return answer(await uc.broadcast(c.app, directBody(c.body), c.audit));
    },

    async 'user.send'(c): Promise<DirectReceipt> {
      return answer(await uc.sendToUser(c.app, c.params.userId ?? '', directBody(c.body), c.audit));
    },

    async 'user.presence'(c): Promise<z.infer<typeof S.Presence>> {
      return answer(await uc.userPresence(c.app, c.params.userId ?? '', c.audit));
    },

    async 'user.disconnect'(c): Promise<{ disconnected: number }> {
      return answer(await uc.disconnectUser(c.app, c.params.userId ?? '', c.audit));
    },

    async 'client.send'(c): Promise<DirectReceipt> {
      return answer(await uc.sendToClient(c.app, c.params.clientId ?? '', directBody(c.body), c.audit));
    },

    async 'client.disconnect'(c): Promise<{ disconnected: number }> {
      return answer(await uc.disconnectClient(c.app, c.params.clientId ?? '', c.audit));
    },

    async 'topics.list'(c): Promise<{ topics: TopicCount[] }> {
      return answer(await uc.listTopics(c.app, c.query, c.audit));
    },

    async 'topic.presence'(c) {
      const topic = c.params.topic ?? '';
      return answer(await uc.topicPresence(c.app, topic, c.audit, topicParamRefusal(topic)));
    },

    async 'topic.presence_stats'(c) {
      const topic = c.params.topic ?? '';
      return answer(await uc.topicPresenceStats(c.app, topic, c.audit, topicParamRefusal(topic)));
    },

    async 'topic.history'(c) {
      const topic = c.params.topic ?? '';
      const opts = topicParamRefusal(topic) ?? historyQuery(c.query);
      const h = answer(await uc.topicHistory(c.app, topic, opts, c.audit));
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
      return answer(await uc.topicSubscribers(c.app, all, c.audit));
    },
  };
}

/** A use case's result, or its refusal thrown for rest-routes.ts to answer. */
function answer<T extends object>(r: PushCall<T>): T {
  if (isRefusal(r)) throw r;
  return r;
}

/** A direct send's body `{ data, topic? }`, or why it is not one. */
function directBody(b: unknown): PushCall<DirectInput<unknown>> {
  if (isDirectBody(b)) return b;
  try {
    return checkSchema(S.DirectBody, b);
  } catch (err) {
    return refusalOf(err);
  }
}

/** A topic path parameter must not be empty (`/v1/topics//presence` reaches the route with ''). */
function topicParamRefusal(topic: string): Refusal | undefined {
  try {
    checkSchema(S.TopicParam, topic, 'topic');
    return undefined;
  } catch (err) {
    return refusalOf(err);
  }
}

/** `?since=&epoch=&limit=` (S.HistoryQuery) as history options, or why not. */
function historyQuery(query: unknown): PushCall<HistoryOptions> {
  try {
    const q = checkSchema(S.HistoryQuery, query ?? {});
    const since = q.since === undefined ? undefined : { offset: q.since, epoch: q.epoch ?? '' };
    return { since, limit: q.limit };
  } catch (err) {
    return refusalOf(err);
  }
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
