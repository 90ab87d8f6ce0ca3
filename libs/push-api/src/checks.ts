import { DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_TOPIC_LENGTH, isValidTopic } from '@beacon/protocol';
import { appPolicy, historyOptions, type PublishOptions } from '@beacon/routing';
import type { z } from 'zod';
import type { ApiApp } from './ports.js';
import { PushApiException } from './push-api.exception.js';

/** Checks shared by REST and gRPC, with the configured topic length (BEACON_MAX_TOPIC_LENGTH). */

export const MAX_TOPICS_PER_CALL = 100;

/** 1-100 distinct valid topic names, deduplicated in order. */
export function checkTopics(
  topics: readonly string[],
  maxLength = DEFAULT_MAX_TOPIC_LENGTH,
  field = 'topics',
): string[] {
  const unique = topics.length === 1 ? [topics[0] as string] : [...new Set(topics)];
  if (unique.length === 0) throw new PushApiException('invalid_request', `${field}: give at least one topic`);
  if (unique.length > MAX_TOPICS_PER_CALL)
    throw new PushApiException('invalid_request', `${field}: at most ${MAX_TOPICS_PER_CALL} topics per call`);
  for (const t of unique) {
    if (!isValidTopic(t, maxLength)) throw invalidTopic(t, maxLength);
  }
  return unique;
}

/** The optional `topic` label of a direct send: absent, or a valid topic name. */
export function checkLabel(
  topic: string | undefined,
  maxLength = DEFAULT_MAX_TOPIC_LENGTH,
): string | undefined {
  if (topic === undefined) return undefined;
  if (!isValidTopic(topic, maxLength)) throw invalidTopic(topic, maxLength);
  return topic;
}

function invalidTopic(topic: string, maxLength: number): PushApiException {
  const shown =
    topic.length > 64
      ? `${JSON.stringify(topic.slice(0, 64))}… (${topic.length} chars)`
      : JSON.stringify(topic);
  return new PushApiException(
    'invalid_topic',
    `invalid topic name ${shown}: 1-${maxLength} chars of A-Z a-z 0-9 _ - . : @ / = + ~`,
  );
}

/** The refusal of data nested deeper than DEFAULT_MAX_JSON_DEPTH, on every surface. */
export function tooDeep(field: string): PushApiException {
  return new PushApiException(
    'invalid_request',
    `${field}: nested too deep (at most ${DEFAULT_MAX_JSON_DEPTH} levels of arrays and objects)`,
  );
}

/** The audit target of a call about topics: their names joined by commas, built only as far as it is stored. */
export function topicsTarget(topics: readonly unknown[]): string {
  let out = '';
  for (const t of topics) {
    if (out.length >= 512) break;
    const s = typeof t === 'string' ? t : String(t);
    out = out.length === 0 ? s.slice(0, 512) : `${out},${s.slice(0, 512)}`;
  }
  return out.slice(0, 513);
}

/** The history rules of a publish's topics (none for apps without history: no allocation). */
export function publishOptions(app: ApiApp, topics: readonly string[]): PublishOptions | undefined {
  return app.settings === undefined ? undefined : historyOptions(appPolicy(app.settings), topics);
}

/**
 * `value` checked against `schema`, or `invalid_request` naming each issue by its path below `name` (the
 * field as the transport calls it: `userId`, `user_id`; none for a whole query), with the issues also
 * listed as `errors` (REST's problem JSON carries them; gRPC sends the detail only).
 */
export function checkSchema<T extends z.ZodType>(schema: T, value: unknown, name = ''): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const path = (p: PropertyKey[]) => [name, ...p.map(String)].filter((s) => s !== '').join('.') || 'value';
  throw new PushApiException(
    'invalid_request',
    r.error.issues.map((i) => `${path(i.path)}: ${i.message}`).join('; '),
    { errors: r.error.issues.map((i) => ({ path: path(i.path), message: i.message })) },
  );
}
