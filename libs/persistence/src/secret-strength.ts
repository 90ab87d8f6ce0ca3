/**
 * How strong a supplied secret (push secret, HS256 token key) must be: at least 256 bits by a conservative
 * estimate. Generated secrets (32 random bytes) always pass; a person's choice passes only when it looks like
 * one: long enough for its alphabet, varied, and not one repeated character.
 *
 * The estimate is length × log2(alphabet), where the alphabet is hex (16), base64 with both cases (64), or
 * else the union of the character classes the secret uses (lower case, upper case, digits, other printable
 * ASCII): 64 hex digits or 43 base64url characters are just enough. It cannot see through a pattern such as "abcabc…", so on top it
 * asks for at least 12 distinct characters and no character making up more than a third of the secret.
 */
export const MIN_SECRET_BITS = 256;
export const MAX_SECRET_LENGTH = 1024;

export function secretStrengthProblem(secret: string): string | null {
  if (typeof secret !== 'string' || secret.length === 0) return 'must be a non-empty string';
  if (secret.length > MAX_SECRET_LENGTH) return `must be at most ${MAX_SECRET_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(secret)) return 'must be printable ASCII without spaces';
  const bits = secret.length * Math.log2(alphabetSize(secret));
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const most = Math.max(...counts.values());
  const weak =
    bits < MIN_SECRET_BITS || counts.size < 12 || most > Math.max(2, Math.floor(secret.length / 3));
  return weak
    ? `is too weak: give at least 32 random bytes, e.g. 64 hex digits or 43 base64url characters (openssl rand -hex 32)`
    : null;
}

function alphabetSize(s: string): number {
  if (/^[0-9a-f]+$/.test(s) || /^[0-9A-F]+$/.test(s)) return 16;
  // base64 / base64url text mixing cases draws on 64 symbols, whether or not this one happens to
  // include a digit or a `-`/`_` (counting classes alone refused about 1 in 10,000 random 32-byte keys).
  if (/^[A-Za-z0-9+/_-]+=*$/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s)) return 64;
  let size = 0;
  if (/[a-z]/.test(s)) size += 26;
  if (/[A-Z]/.test(s)) size += 26;
  if (/[0-9]/.test(s)) size += 10;
  if (/[^a-zA-Z0-9]/.test(s)) size += 32;
  return size;
}
