import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PersistenceError } from './persistence.exception.js';

const KEY_FILE = 'secret.key';
const CIPHER_VERSION = 'v1';

/**
 * Keeps app secrets out of the database in plaintext. From one 32-byte master key it derives (HKDF) a MAC key,
 * for the lookup hash (HMAC-SHA256), and an encryption key, for the AES-256-GCM ciphertext the gateway
 * decrypts to verify HS256 tokens. Never logs or returns the key.
 */
export class SecretBox {
  private readonly macKey: Buffer;
  private readonly encKey: Buffer;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== 32)
      throw new PersistenceError('SECRET_KEY_INVALID', 'master key must be 32 bytes');
    this.macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'beacon app-secret mac', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'beacon app-secret enc', 32));
  }

  /** Hex HMAC-SHA256 of the secret: the unique lookup column. */
  hash(secret: string): string {
    return createHmac('sha256', this.macKey).update(secret, 'utf8').digest('hex');
  }

  /** Constant-time comparison of two hashes made by hash(). */
  hashesEqual(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  }

  /** `v1.<base64url(iv | tag | ciphertext)>`, bound to `context` (the secret's row id) as associated data. */
  encrypt(secret: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${CIPHER_VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(ciphertext: string, context: string): string {
    const [version, payload] = ciphertext.split('.', 2);
    if (version !== CIPHER_VERSION || payload === undefined) {
      throw new PersistenceError('SECRET_KEY_INVALID', 'unrecognised secret ciphertext');
    }
    const raw = Buffer.from(payload, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new PersistenceError(
        'SECRET_KEY_INVALID',
        'cannot decrypt an app secret: the master key differs from the one it was stored with',
        { cause: err },
      );
    }
  }
}

/** A fresh app secret: 32 random bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Parses a 32-byte key given as base64 / base64url or hex. */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) {
    throw new PersistenceError(
      'SECRET_KEY_INVALID',
      'secret key must be 32 bytes, as base64 or hex (64 digits)',
    );
  }
  return key;
}

/**
 * The master key: `secretKey` when given (BEACON_SECRET_KEY), else `<dataDir>/secret.key`, created on first
 * run with mode 0600. Losing the key file makes stored app secrets undecryptable: back it up with the database.
 */
export function loadMasterKey(dataDir: string, secretKey?: string): Buffer {
  if (secretKey !== undefined && secretKey !== '') return parseMasterKey(secretKey);
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return parseMasterKey(readFileSync(file, 'utf8'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseMasterKey(readFileSync(file, 'utf8'));
    throw err;
  }
  chmodSync(file, 0o600);
  return key;
}
