import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_APP_SETTINGS, mergeSettings, settingsFromJson, type AppSettings } from './app-settings.js';
import type { AppChangeKind } from './app-changes.js';
import { isUniqueViolation, PersistenceError } from './persistence.exception.js';
import type { Db } from './prisma-client.js';
import { generateSecret, type SecretBox } from './secret-box.js';
import { MAX_SECRET_LENGTH, secretStrengthProblem } from './secret-strength.js';
import {
  isTokenKeyAlg,
  KID_PATTERN,
  MAX_ACTIVE_TOKEN_KEYS,
  normalisePublicKey,
  verificationKey,
  type TokenKeyAlg,
  type TokenKeyRecord,
  type VerificationKey,
} from './token-keys.js';

export interface AppRecord {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  settings: AppSettings;
  createdAt: Date;
}

/** An app with the keys that verify its client tokens (active ones only, newest first). */
export interface AppWithKeys extends AppRecord {
  tokenKeys: VerificationKey[];
}

export type SecretAuthResult =
  { ok: true; app: AppRecord } | { ok: false; reason: 'unknown' | 'revoked' | 'disabled'; app?: AppRecord };

export interface CreateAppInput {
  name: string;
  key?: string;
  /** A supplied push secret: ≥ 256 bits (secret-strength.ts). Default: 32 random bytes. */
  secret?: string;
  /** A supplied HS256 token key, same rule. Default: 32 random bytes. */
  tokenKey?: string;
  settings?: Partial<AppSettings>;
}

/** A newly issued HS256 token key: the one time its secret is returned. */
export interface IssuedTokenKey {
  kid: string;
  alg: 'HS256';
  secret: string;
}

export interface AddTokenKeyInput {
  alg: TokenKeyAlg;
  kid?: string;
  /** For ES256 / EdDSA / RS256: SPKI PEM or a public JWK. */
  publicKey?: string;
  /** For HS256: a supplied key (≥ 256 bits); default 32 random bytes. */
  secret?: string;
}

/** A push secret as listed: an id to name it by (`ps_…`), never the secret. */
export interface PushSecretRecord {
  kid: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** The public name of a push secret: `ps_` and the first 12 hex digits of its row id. */
export function pushSecretKid(secretId: string): string {
  return `ps_${secretId.replace(/-/g, '').slice(0, 12)}`;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/;
export const DEV_APP_KEY = 'dev';
const INITIALIZED = 'initialized';

interface AppRow {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  settings: unknown;
  createdAt: Date;
}

interface TokenKeyRow {
  id: string;
  appId: string;
  kid: string;
  alg: string;
  secretCiphertext: string | null;
  publicKey: string | null;
  fromSecretId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

function toRecord(row: AppRow): AppRecord {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    enabled: row.enabled,
    settings: settingsFromJson(row.settings),
    createdAt: row.createdAt,
  };
}

function toKeyRecord(row: TokenKeyRow): TokenKeyRecord {
  return {
    id: row.id,
    kid: row.kid,
    alg: isTokenKeyAlg(row.alg) ? row.alg : 'HS256',
    publicKey: row.publicKey,
    carriedOver: row.fromSecretId !== null,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

function notFound(key: string): PersistenceError {
  return new PersistenceError('APP_NOT_FOUND', `no app with key ${JSON.stringify(key)}`);
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2025';
}

function checkSupplied(what: string, secret: string | undefined): void {
  if (secret === undefined) return;
  const problem = secretStrengthProblem(secret);
  if (problem !== null) throw new PersistenceError('INVALID_INPUT', `${what} ${problem}`);
}

function newKid(): string {
  return `k_${randomBytes(6).toString('hex')}`;
}

/**
 * Apps (tenants), their push secrets and their client-token keys. A push secret is stored only as a keyed
 * hash: it authenticates backends and never verifies a client token. Token keys are separate (token-keys.ts).
 * Every change is written with a row in the change feed (app-changes.ts), in the same transaction.
 */
export class AppsRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async create(
    input: CreateAppInput,
  ): Promise<{ app: AppRecord; secret: string; secretKid: string; tokenKey: IssuedTokenKey }> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '' || name.length > 200)
      throw new PersistenceError('INVALID_INPUT', 'name must be 1 to 200 characters');
    const key = input.key ?? `app_${randomBytes(8).toString('hex')}`;
    if (!KEY_PATTERN.test(key)) {
      throw new PersistenceError('INVALID_INPUT', 'key must be 2 to 64 characters: letters, digits, - and _');
    }
    checkSupplied('secret', input.secret);
    checkSupplied('token key', input.tokenKey);
    const secret = input.secret ?? generateSecret();
    const tokenSecret = input.tokenKey ?? generateSecret();
    if (tokenSecret === secret)
      throw new PersistenceError('INVALID_INPUT', 'the token key must differ from the push secret');
    const settings = mergeSettings(DEFAULT_APP_SETTINGS, input.settings);
    const id = randomUUID();
    const kid = newKid();
    const secretRow = this.secretRow(secret);
    try {
      const [row] = await this.db.$transaction([
        this.db.app.create({
          data: {
            id,
            key,
            name,
            enabled: true,
            settings: { ...settings },
            secrets: { create: secretRow },
            tokenKeys: { create: this.hsKeyRow(id, kid, tokenSecret) },
          },
        }),
        this.change(id, key, 'created'),
      ]);
      return {
        app: toRecord(row),
        secret,
        secretKid: pushSecretKid(secretRow.id),
        tokenKey: { kid, alg: 'HS256', secret: tokenSecret },
      };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (await this.db.app.findUnique({ where: { key }, select: { id: true } })) {
        throw new PersistenceError('APP_KEY_TAKEN', `an app with key ${JSON.stringify(key)} already exists`);
      }
      throw new PersistenceError('INVALID_INPUT', 'that secret is already in use');
    }
  }

  async list(): Promise<AppRecord[]> {
    const rows = await this.db.app.findMany({ orderBy: [{ createdAt: 'asc' }, { key: 'asc' }] });
    return rows.map(toRecord);
  }

  async findById(id: string): Promise<AppRecord | null> {
    const row = await this.db.app.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  /** The app and its active token keys, ready to verify with (HS256 keys decrypted). */
  async findByKey(key: string): Promise<AppWithKeys | null> {
    const row = await this.db.app.findUnique({
      where: { key },
      include: {
        tokenKeys: { where: { revokedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
      },
    });
    if (!row) return null;
    const tokenKeys = row.tokenKeys.flatMap((k): VerificationKey[] => {
      if (!isTokenKeyAlg(k.alg)) return [];
      const material =
        k.alg === 'HS256'
          ? k.secretCiphertext === null
            ? null
            : this.box.decrypt(k.secretCiphertext, `${k.appId}/${k.id}`)
          : k.publicKey;
      return material === null ? [] : [verificationKey(k.kid, k.alg, material)];
    });
    return { ...toRecord(row), tokenKeys };
  }

  /** Looks a Bearer secret up by its keyed hash and compares in constant time. */
  async authenticateSecret(secret: string): Promise<SecretAuthResult> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) {
      return { ok: false, reason: 'unknown' };
    }
    const hash = this.box.hash(secret);
    const row = await this.db.appSecret.findUnique({ where: { secretHash: hash }, include: { app: true } });
    if (!row || !this.box.hashesEqual(row.secretHash, hash)) return { ok: false, reason: 'unknown' };
    const app = toRecord(row.app);
    if (row.revokedAt !== null) return { ok: false, reason: 'revoked', app };
    if (!app.enabled) return { ok: false, reason: 'disabled', app };
    return { ok: true, app };
  }

  /**
   * Issues a new push secret and revokes every older one, atomically, with the token keys carried over from
   * them (an app made before keys were split signed its client tokens with its push secret).
   */
  async rotateSecret(key: string): Promise<{ app: AppRecord; secret: string; secretKid: string }> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    const secret = generateSecret();
    const fresh = this.secretRow(secret);
    const now = new Date();
    await this.db.$transaction([
      this.db.appTokenKey.updateMany({
        where: { appId: row.id, revokedAt: null, fromSecretId: { not: null } },
        data: { revokedAt: now },
      }),
      this.db.appSecret.updateMany({ where: { appId: row.id, revokedAt: null }, data: { revokedAt: now } }),
      this.db.appSecret.create({ data: { appId: row.id, ...fresh } }),
      this.change(row.id, row.key, 'secret_rotated'),
    ]);
    return { app: toRecord(row), secret, secretKid: pushSecretKid(fresh.id) };
  }

  async listTokenKeys(key: string, opts: { includeRevoked?: boolean } = {}): Promise<TokenKeyRecord[]> {
    const row = await this.db.app.findUnique({ where: { key }, select: { id: true } });
    if (!row) throw notFound(key);
    const rows = await this.db.appTokenKey.findMany({
      where: { appId: row.id, ...(opts.includeRevoked === true ? {} : { revokedAt: null }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toKeyRecord);
  }

  /** Adds a token key. For HS256 the secret is returned this once. */
  async addTokenKey(
    key: string,
    input: AddTokenKeyInput,
  ): Promise<{ app: AppRecord; key: TokenKeyRecord; secret?: string }> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    if (!isTokenKeyAlg(input.alg))
      throw new PersistenceError('INVALID_INPUT', 'alg must be HS256, ES256, EdDSA or RS256');
    const kid = input.kid ?? newKid();
    if (!KID_PATTERN.test(kid))
      throw new PersistenceError('INVALID_INPUT', 'kid must be 1 to 64 characters: letters, digits, . _ -');
    const active = await this.db.appTokenKey.count({ where: { appId: row.id, revokedAt: null } });
    if (active >= MAX_ACTIVE_TOKEN_KEYS) {
      throw new PersistenceError(
        'INVALID_INPUT',
        `an app may have at most ${MAX_ACTIVE_TOKEN_KEYS} active token keys: revoke one first`,
      );
    }
    let data: ReturnType<AppsRepository['hsKeyRow']> | Omit<TokenKeyRow, 'appId' | 'createdAt' | 'revokedAt'>;
    let secret: string | undefined;
    if (input.alg === 'HS256') {
      if (input.publicKey !== undefined)
        throw new PersistenceError('INVALID_INPUT', 'HS256 keys are shared secrets, not public keys');
      checkSupplied('token key', input.secret);
      secret = input.secret ?? generateSecret();
      data = this.hsKeyRow(row.id, kid, secret);
    } else {
      if (input.secret !== undefined)
        throw new PersistenceError('INVALID_INPUT', `${input.alg} keys are public keys, not secrets`);
      if (input.publicKey === undefined)
        throw new PersistenceError('INVALID_INPUT', `${input.alg} needs a public key (PEM or JWK)`);
      data = {
        id: randomUUID(),
        kid,
        alg: input.alg,
        secretCiphertext: null,
        publicKey: normalisePublicKey(input.alg, input.publicKey),
        fromSecretId: null,
      };
    }
    try {
      const [created] = await this.db.$transaction([
        this.db.appTokenKey.create({ data: { ...data, appId: row.id } }),
        this.change(row.id, row.key, 'token_keys'),
      ]);
      return { app: toRecord(row), key: toKeyRecord(created), ...(secret !== undefined && { secret }) };
    } catch (err) {
      if (isUniqueViolation(err))
        throw new PersistenceError(
          'INVALID_INPUT',
          `the app already has a key with kid ${JSON.stringify(kid)}`,
        );
      throw err;
    }
  }

  /**
   * Issues a new HS256 token key and revokes every other active HS256 key (public keys stay), atomically:
   * connections whose tokens the old keys verified are closed by the change feed.
   */
  async rotateTokenKey(key: string): Promise<{ app: AppRecord; tokenKey: IssuedTokenKey }> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    const kid = newKid();
    const secret = generateSecret();
    await this.db.$transaction([
      this.db.appTokenKey.updateMany({
        where: { appId: row.id, revokedAt: null, alg: 'HS256' },
        data: { revokedAt: new Date() },
      }),
      this.db.appTokenKey.create({ data: { ...this.hsKeyRow(row.id, kid, secret), appId: row.id } }),
      this.change(row.id, row.key, 'token_keys'),
    ]);
    return { app: toRecord(row), tokenKey: { kid, alg: 'HS256', secret } };
  }

  /** Revokes a token key: tokens it verified stop working, on open connections too (app-changes.ts). */
  async revokeTokenKey(key: string, kid: string): Promise<{ app: AppRecord; key: TokenKeyRecord }> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    const found = await this.db.appTokenKey.findUnique({ where: { appId_kid: { appId: row.id, kid } } });
    if (!found || found.revokedAt !== null) {
      throw new PersistenceError(
        'TOKEN_KEY_NOT_FOUND',
        `app ${key} has no active token key ${JSON.stringify(kid)}`,
      );
    }
    const [updated] = await this.db.$transaction([
      this.db.appTokenKey.update({ where: { id: found.id }, data: { revokedAt: new Date() } }),
      this.change(row.id, row.key, 'token_keys'),
    ]);
    return { app: toRecord(row), key: toKeyRecord(updated) };
  }

  async setEnabled(key: string, enabled: boolean): Promise<AppRecord> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    return this.update(row, { enabled }, enabled ? 'enabled' : 'disabled');
  }

  async updateSettings(key: string, patch: Partial<AppSettings>, name?: string): Promise<AppRecord> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    const settings = mergeSettings(settingsFromJson(row.settings), patch);
    if (name !== undefined) {
      const trimmed = typeof name === 'string' ? name.trim() : '';
      if (trimmed === '' || trimmed.length > 200)
        throw new PersistenceError('INVALID_INPUT', 'name must be 1 to 200 characters');
      return this.update(row, { settings: { ...settings }, name: trimmed }, 'updated');
    }
    return this.update(row, { settings: { ...settings } }, 'updated');
  }

  /** The app's push secrets (never the secrets: ids and dates), oldest first. */
  async listSecrets(key: string): Promise<PushSecretRecord[]> {
    const row = await this.db.app.findUnique({ where: { key }, select: { id: true } });
    if (!row) throw notFound(key);
    const rows = await this.db.appSecret.findMany({
      where: { appId: row.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, createdAt: true, revokedAt: true },
    });
    return rows.map((r) => ({ kid: pushSecretKid(r.id), createdAt: r.createdAt, revokedAt: r.revokedAt }));
  }

  async delete(key: string): Promise<AppRecord> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    try {
      await this.db.$transaction([
        this.db.app.delete({ where: { id: row.id } }),
        this.change(row.id, row.key, 'deleted'),
      ]);
    } catch (err) {
      throw isNotFound(err) ? notFound(key) : err;
    }
    return toRecord(row);
  }

  /**
   * Creates the development app (key `dev` unless given) on the installation's first run only: the first
   * start marks the database `initialized`, so deleting every app later never brings an open app back.
   * Returns the secrets it issued (a supplied one is not echoed back).
   */
  async ensureDevApp(input: {
    key?: string;
    secret?: string;
    tokenKey?: string;
    settings?: Partial<AppSettings>;
  }): Promise<{ created: boolean; app: AppRecord | null; secret?: string; tokenKey?: IssuedTokenKey }> {
    const key = input.key ?? DEV_APP_KEY;
    const existing = async (): Promise<AppRecord | null> => {
      const row = await this.db.app.findUnique({ where: { key } });
      return row ? toRecord(row) : null;
    };
    if ((await this.db.beaconMeta.findUnique({ where: { key: INITIALIZED } })) !== null) {
      return { created: false, app: await existing() };
    }
    // A bad supplied secret must fail the start without using up the first run.
    checkSupplied('secret', input.secret);
    checkSupplied('token key', input.tokenKey);
    try {
      await this.db.beaconMeta.create({ data: { key: INITIALIZED, value: new Date().toISOString() } });
    } catch (err) {
      // Another process is doing the first run.
      if (isUniqueViolation(err)) return { created: false, app: await existing() };
      throw err;
    }
    if ((await this.db.app.count()) > 0) return { created: false, app: await existing() };
    try {
      const { app, secret, tokenKey } = await this.create({
        name: 'dev',
        key,
        secret: input.secret,
        tokenKey: input.tokenKey,
        settings: input.settings,
      });
      return { created: true, app, secret, tokenKey };
    } catch (err) {
      await this.db.beaconMeta.delete({ where: { key: INITIALIZED } }).catch(() => undefined);
      throw err;
    }
  }

  private change(appId: string, appKey: string, kind: AppChangeKind) {
    return this.db.appChange.create({ data: { appId, appKey, kind } });
  }

  private secretRow(secret: string): { id: string; secretHash: string } {
    return { id: randomUUID(), secretHash: this.box.hash(secret) };
  }

  private hsKeyRow(appId: string, kid: string, secret: string) {
    const id = randomUUID();
    return {
      id,
      kid,
      alg: 'HS256',
      secretCiphertext: this.box.encrypt(secret, `${appId}/${id}`),
      publicKey: null,
      fromSecretId: null,
    };
  }

  private async update(
    row: AppRow,
    data: { enabled?: boolean; name?: string; settings?: { [K in keyof AppSettings]: AppSettings[K] } },
    kind: AppChangeKind,
  ): Promise<AppRecord> {
    try {
      const [updated] = await this.db.$transaction([
        this.db.app.update({ where: { id: row.id }, data }),
        this.change(row.id, row.key, kind),
      ]);
      return toRecord(updated);
    } catch (err) {
      throw isNotFound(err) ? notFound(row.key) : err;
    }
  }
}
