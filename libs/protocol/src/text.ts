/** Bounds on text the server sends back: echoes of client input and close reasons. */

/** Characters of client-supplied text an error message or field may quote. */
export const MAX_ECHO_CHARS = 64;

/** A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5: 125-byte payload, 2 for the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Client text as an error may quote it: at most `max` characters, `…` marking a cut. */
export function clip(text: string, max: number = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never split a surrogate pair
  return `${text.slice(0, end)}…`;
}

/** The longest prefix of `text` that is at most `maxBytes` bytes of UTF-8, cut on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number = MAX_CLOSE_REASON_BYTES): string {
  if (text.length * 3 <= maxBytes) return text; // no UTF-16 unit takes more than 3 bytes
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size = 1;
    let units = 1;
    if (c >= 0x800) {
      const next = text.charCodeAt(i + 1);
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        size = 4;
        units = 2;
      } else size = 3; // a lone surrogate becomes U+FFFD: also 3 bytes
    } else if (c >= 0x80) size = 2;
    if (bytes + size > maxBytes) return text.slice(0, i);
    bytes += size;
    i += units - 1;
  }
  return text;
}

/** Longest user id (a token's `sub`, a push API user target), in characters. */
export const MAX_USER_ID_LENGTH = 200;

/**
 * Characters a user id may not contain: C0 and C1 controls, DEL, line/paragraph separators and bidirectional
 * overrides/isolates — everything that can rewrite a terminal or a log line, or disguise one id as another.
 */

const USER_ID_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** Why `id` is not a valid user id, or null when it is one. */
export function userIdProblem(id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0) return 'must be a non-empty string';
  if (id.length > MAX_USER_ID_LENGTH) return `must be at most ${MAX_USER_ID_LENGTH} characters`;
  if (USER_ID_FORBIDDEN.test(id))
    return 'must not contain control, line-separator or bidi-override characters';
  return null;
}

/**
 * Text from clients or tenants made safe for a terminal: C0/C1 controls, DEL and bidi controls become
 * visible escapes (`\x1b`, `\u202e`), backslashes are doubled so an escape cannot be forged.
 */
export function printable(text: string): string {
  return text.replace(/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => {
    if (c === '\\') return '\\\\';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
