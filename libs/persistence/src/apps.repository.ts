import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_APP_SETTINGS, mergeSettings, settingsFromJson, type AppSettings } from './app-settings.js';
import { isUniqueViolation, PersistenceError } from './persistence.exception.js';
import type { Db } from './prisma-client.js';
import { generateSecret, type SecretBox } from './secret-box.js';

export interface AppRecord {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  settings: AppSettings;
  createdAt: Date;
}

/** An app with its decrypted active (not revoked) secrets, newest first, as UTF-8 bytes of the secret string. */
export interface AppWithSecrets extends AppRecord {
  secrets: Uint8Array[];
}

export type SecretAuthResult =
  { ok: true; app: AppRecord } | { ok: false; reason: 'unknown' | 'revoked' | 'disabled'; app?: AppRecord };

export interface CreateAppInput {
  name: string;
  key?: string;
  secret?: string;
  settings?: Partial<AppSettings>;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/;
const SECRET_MIN = 8;
const SECRET_MAX = 1024;
export const DEV_APP_KEY = 'dev';

interface AppRow {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  settings: unknown;
  createdAt: Date;
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

function notFound(key: string): PersistenceError {
  return new PersistenceError('APP_NOT_FOUND', `no app with key ${JSON.stringify(key)}`);
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2025';
}

function validateSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < SECRET_MIN || secret.length > SECRET_MAX) {
    throw new PersistenceError('INVALID_INPUT', `secret must be ${SECRET_MIN} to ${SECRET_MAX} characters`);
  }
}

/** Apps (tenants) and their secrets. Secrets are stored as a keyed hash plus a ciphertext, never in plaintext. */
export class AppsRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async create(input: CreateAppInput): Promise<{ app: AppRecord; secret: string }> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '' || name.length > 200)
      throw new PersistenceError('INVALID_INPUT', 'name must be 1 to 200 characters');
    const key = input.key ?? `app_${randomBytes(8).toString('hex')}`;
    if (!KEY_PATTERN.test(key)) {
      throw new PersistenceError('INVALID_INPUT', 'key must be 2 to 64 characters: letters, digits, - and _');
    }
    const secret = input.secret ?? generateSecret();
    validateSecret(secret);
    const settings = mergeSettings(DEFAULT_APP_SETTINGS, input.settings);
    const id = randomUUID();
    try {
      const row = await this.db.app.create({
        data: {
          id,
          key,
          name,
          enabled: true,
          settings: { ...settings },
          secrets: { create: this.secretRow(id, secret) },
        },
      });
      return { app: toRecord(row), secret };
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

  async findByKey(key: string): Promise<AppWithSecrets | null> {
    const row = await this.db.app.findUnique({
      where: { key },
      include: { secrets: { where: { revokedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] } },
    });
    if (!row) return null;
    const secrets = row.secrets.map(
      (s) => new Uint8Array(Buffer.from(this.box.decrypt(s.secretCiphertext, `${s.appId}/${s.id}`))),
    );
    return { ...toRecord(row), secrets };
  }

  /** Looks a Bearer secret up by its keyed hash and compares in constant time. */
  async authenticateSecret(secret: string): Promise<SecretAuthResult> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > SECRET_MAX) {
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

  /** Issues a new secret and revokes every older one, atomically. */
  async rotateSecret(key: string): Promise<{ app: AppRecord; secret: string }> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    const secret = generateSecret();
    await this.db.$transaction([
      this.db.appSecret.updateMany({
        where: { appId: row.id, revokedAt: null },
        data: { revokedAt: new Date() },
      }),
      this.db.appSecret.create({ data: { appId: row.id, ...this.secretRow(row.id, secret) } }),
    ]);
    return { app: toRecord(row), secret };
  }

  async setEnabled(key: string, enabled: boolean): Promise<AppRecord> {
    return this.update(key, { enabled });
  }

  async updateSettings(key: string, patch: Partial<AppSettings>): Promise<AppRecord> {
    const row = await this.db.app.findUnique({ where: { key } });
    if (!row) throw notFound(key);
    const settings = mergeSettings(settingsFromJson(row.settings), patch);
    return this.update(key, { settings: { ...settings } });
  }

  async delete(key: string): Promise<void> {
    try {
      await this.db.app.delete({ where: { key } });
    } catch (err) {
      throw isNotFound(err) ? notFound(key) : err;
    }
  }

  /**
   * Creates the app "dev" (key `dev` unless given) only when no app exists yet, so a fresh install works at once.
   * Returns the secret only when it created the app.
   */
  async ensureDevApp(input: {
    key?: string;
    secret?: string;
    settings?: Partial<AppSettings>;
  }): Promise<{ created: boolean; app: AppRecord; secret?: string }> {
    const key = input.key ?? DEV_APP_KEY;
    if ((await this.db.app.count()) === 0) {
      try {
        const { app, secret } = await this.create({
          name: 'dev',
          key,
          secret: input.secret,
          settings: input.settings,
        });
        return { created: true, app, secret };
      } catch (err) {
        // Lost a race with another process creating it: fall through and report theirs.
        if (!(err instanceof PersistenceError && err.code === 'APP_KEY_TAKEN')) throw err;
      }
    }
    const existing =
      (await this.db.app.findUnique({ where: { key } })) ??
      (await this.db.app.findFirst({ orderBy: [{ createdAt: 'asc' }, { key: 'asc' }] }));
    if (!existing) throw notFound(key);
    return { created: false, app: toRecord(existing) };
  }

  private secretRow(
    appId: string,
    secret: string,
  ): { id: string; secretHash: string; secretCiphertext: string } {
    const id = randomUUID();
    return {
      id,
      secretHash: this.box.hash(secret),
      secretCiphertext: this.box.encrypt(secret, `${appId}/${id}`),
    };
  }

  private async update(
    key: string,
    data: { enabled?: boolean; settings?: { [K in keyof AppSettings]: AppSettings[K] } },
  ): Promise<AppRecord> {
    try {
      return toRecord(await this.db.app.update({ where: { key }, data }));
    } catch (err) {
      throw isNotFound(err) ? notFound(key) : err;
    }
  }
}
