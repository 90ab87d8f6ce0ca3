import { DEFAULT_MAX_JSON_DEPTH, jsonDepthExceeds } from '@beacon/protocol';
import { tooDeep } from '../checks.js';
import { PushApiException } from '../push-api.exception.js';

export { checkLabel, checkTopics } from '../checks.js';

/** What only gRPC reads: `data_json` text and proto3 defaults; the rest is the use cases' (push-use-cases.ts). */

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

/** proto3 scalars cannot be absent: an empty prefix means none, limit 0 means the default. */
export function listQuery(prefix: string, limit: number): { prefix?: string; limit?: number } {
  return { ...(prefix === '' ? {} : { prefix }), ...(limit === 0 ? {} : { limit }) };
}
