import { isValidTopic } from '@beacon/protocol';
import type { z } from 'zod';
import { PushApiException } from '../push-api.exception.js';
import * as S from '../schemas.js';

/** Request checks of the gRPC PushService: the REST rules (schemas.ts, isValidTopic) applied to proto fields. */

/** 1-100 distinct valid topic names, deduplicated in order (as REST `topics`; no comma splitting). */
export function checkTopics(topics: readonly string[]): string[] {
  const unique = [...new Set(topics)];
  if (unique.length === 0) throw new PushApiException('invalid_request', 'topics: give at least one topic');
  if (unique.length > 100)
    throw new PushApiException('invalid_request', 'topics: at most 100 topics per call');
  const bad = unique.find((t) => !isValidTopic(t));
  if (bad !== undefined)
    throw new PushApiException('invalid_topic', `invalid topic name ${JSON.stringify(bad)}`);
  return unique;
}

/**
 * `data_json` is already JSON text: it must be at most `maxBytes` (UTF-8, as sent) and parse as JSON. The
 * ORIGINAL text is returned and routed unchanged (valid JSON text, whitespace included, embeds as the frame's
 * `data` as is), so a payload costs one parse and no re-serialisation. The size is checked before parsing.
 */
export function checkDataJson(text: string, maxBytes: number): string {
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) {
    throw new PushApiException('payload_too_large', `data_json is larger than ${maxBytes} bytes`);
  }
  try {
    JSON.parse(text);
  } catch {
    throw new PushApiException(
      'invalid_request',
      text === '' ? 'data_json: required (any JSON value, as text)' : 'data_json: not valid JSON',
    );
  }
  return text;
}

/** The optional `topic` label of a direct send: absent, or a valid topic name. */
export function checkLabel(topic: string | undefined): string | undefined {
  if (topic === undefined) return undefined;
  if (!isValidTopic(topic))
    throw new PushApiException('invalid_topic', `invalid topic name ${JSON.stringify(topic)}`);
  return topic;
}

export function checkUserId(userId: string): string {
  return field('user_id', S.UserIdParam, userId);
}

export function checkClientId(clientId: string): string {
  return field('client_id', S.ClientIdParam, clientId);
}

/** proto3 scalars cannot be absent: an empty prefix means none, limit 0 means the default. */
export function checkListQuery(prefix: string, limit: number): { prefix?: string; limit: number } {
  const q = field('', S.TopicsQuery, {
    ...(prefix === '' ? {} : { prefix }),
    ...(limit === 0 ? {} : { limit }),
  });
  return q.prefix === undefined ? { limit: q.limit } : { prefix: q.prefix, limit: q.limit };
}

function field<T extends z.ZodType>(name: string, schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const detail = r.error.issues
    .map((i) => `${[name, ...i.path].filter((s) => s !== '').join('.')}: ${i.message}`)
    .join('; ');
  throw new PushApiException('invalid_request', detail);
}
