import { DEFAULT_MAX_JSON_DEPTH, jsonDepthExceeds } from '@beacon/protocol';
import { tooDeep } from '../checks.js';
import { PushApiException } from '../push-api.exception.js';

/**
 * The REST body parser: `application/json` in UTF-8 only (a `charset` other than utf-8 is 415
 * unsupported_media_type), nested at most DEFAULT_MAX_JSON_DEPTH levels below the body object (checked
 * in one linear pass before parsing; deeper is 400 invalid_request), valid JSON (else 400). Its size is
 * bounded by the route's body limit (413) before any of this runs.
 */
export function parseJsonBody(contentType: string | undefined, text: string): unknown {
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new PushApiException('unsupported_media_type', 'send the body as UTF-8 JSON (charset=utf-8)');
  }
  // `data` sits one level below the body object: its limit is the body's minus one.
  if (jsonDepthExceeds(text, DEFAULT_MAX_JSON_DEPTH + 1)) throw tooDeep('data');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PushApiException('invalid_request', 'request body is not valid JSON');
  }
}

/** The lower-cased `charset` parameter of a Content-Type, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const i = contentType.indexOf(';');
  if (i < 0) return undefined;
  const m = /(?:^|;)\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType.slice(i));
  return m === null ? undefined : (m[1] as string).toLowerCase();
}
