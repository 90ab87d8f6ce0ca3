import { DEFAULT_MAX_JSON_DEPTH, jsonDepthExceeds } from '@beacon/protocol';
import type { z } from 'zod';
import { tooDeep } from '../checks.js';
import { PushApiException } from '../push-api.exception.js';
import * as S from '../schemas.js';

export { checkLabel, checkTopics } from '../checks.js';

/** Request checks of the gRPC PushService: the REST rules (schemas.ts, checks.ts) applied to proto fields. */

/**
 * `data_json` is already JSON text: it must be at most `maxBytes` (UTF-8, as sent), nest at most
 * DEFAULT_MAX_JSON_DEPTH levels and parse as JSON. The ORIGINAL text is returned and routed unchanged (valid
 * JSON text, whitespace included, embeds as the frame's `data` as is), so a payload costs one parse and no
 * re-serialisation. Size and depth are checked before parsing, in linear time.
 */
export function checkDataJson(text: string, maxBytes: number): string {
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) {
    throw new PushApiException('payload_too_large', `data_json is larger than ${maxBytes} bytes`);
  }
  if (jsonDepthExceeds(text, DEFAULT_MAX_JSON_DEPTH)) throw tooDeep('data_json');
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
