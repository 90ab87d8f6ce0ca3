import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { PersistenceError } from './persistence.exception.js';

/**
 * Client-token keys. HS256 keys are shared secrets Beacon generates (or is given, ≥ 256 bits); ES256, EdDSA
 * (Ed25519) and RS256 keys are public keys whose private half stays with the app's backend, so nothing Beacon
 * stores can sign a client token.
 */
export const TOKEN_KEY_ALGS = ['HS256', 'ES256', 'EdDSA', 'RS256'] as const;
export type TokenKeyAlg = (typeof TOKEN_KEY_ALGS)[number];

export const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Active token keys an app may have at once: enough for rotation, small enough to try each. */
export const MAX_ACTIVE_TOKEN_KEYS = 10;

/** A token key as the CLI and admin API show it: never the HS256 secret. */
export interface TokenKeyRecord {
  id: string;
  kid: string;
  alg: TokenKeyAlg;
  /** SPKI PEM for asymmetric keys; null for HS256. */
  publicKey: string | null;
  /** True for an HS256 key carried over from a push secret of an app made before keys were split. */
  carriedOver: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

/** What a gateway verifies a token with. */
export interface VerificationKey {
  kid: string;
  alg: TokenKeyAlg;
  key: KeyObject;
}

export function isTokenKeyAlg(v: unknown): v is TokenKeyAlg {
  return typeof v === 'string' && (TOKEN_KEY_ALGS as readonly string[]).includes(v);
}

/** Parses a public key given as PEM (SPKI) or as a JWK (JSON) and checks it fits `alg`; returns SPKI PEM. */
export function normalisePublicKey(alg: Exclude<TokenKeyAlg, 'HS256'>, text: string): string {
  const bad = (why: string): never => {
    throw new PersistenceError('INVALID_INPUT', `public key ${why}`);
  };
  if (typeof text !== 'string' || text.trim() === '' || text.length > 16_384) bad('must be PEM or JWK text');
  let key: KeyObject;
  try {
    const t = text.trim();
    key = t.startsWith('{')
      ? createPublicKey({ key: JSON.parse(t) as import('node:crypto').JsonWebKey, format: 'jwk' })
      : createPublicKey(t);
  } catch {
    return bad('cannot be parsed: give an SPKI PEM ("-----BEGIN PUBLIC KEY-----") or a public JWK');
  }
  const d = key.asymmetricKeyDetails ?? {};
  if (alg === 'ES256' && !(key.asymmetricKeyType === 'ec' && d.namedCurve === 'prime256v1'))
    bad('for ES256 must be an EC P-256 key');
  if (alg === 'EdDSA' && key.asymmetricKeyType !== 'ed25519') bad('for EdDSA must be an Ed25519 key');
  if (alg === 'RS256' && !(key.asymmetricKeyType === 'rsa' && (d.modulusLength ?? 0) >= 2048))
    bad('for RS256 must be an RSA key of at least 2048 bits');
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

export function verificationKey(kid: string, alg: TokenKeyAlg, material: string): VerificationKey {
  return {
    kid,
    alg,
    key: alg === 'HS256' ? createSecretKey(Buffer.from(material, 'utf8')) : createPublicKey(material),
  };
}
