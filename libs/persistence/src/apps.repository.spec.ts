import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { jwtVerify, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { Persistence } from './persistence.js';
import { SecretBox } from './secret-box.js';

const STRONG = 'Zq8-Hv3mT1xKc7Rw0bNf5yLp2sJd9gAe4uWo6iQzXkE';

describe('AppsRepository (SQLite)', () => {
  const dirs: string[] = [];
  const opened: Persistence[] = [];

  async function fresh(
    secretKey?: string,
    dir = mkdtempSync(join(tmpdir(), 'beacon-apps-')),
  ): Promise<Persistence> {
    dirs.push(dir);
    const databaseUrl = `file:${join(dir, 'beacon.db')}`;
    await migrate({ databaseUrl });
    const p = await Persistence.open({ databaseUrl, dataDir: dir, secretKey });
    opened.push(p);
    return p;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('ensureDevApp creates "dev" on an empty database, once', async () => {
    const p = await fresh();
    const first = await p.apps.ensureDevApp({ settings: { allowAnonymous: true } });
    expect(first.created).toBe(true);
    expect(first.app).toMatchObject({ key: 'dev', name: 'dev', settings: { allowAnonymous: true } });
    expect(first.secret).toBeDefined();
    expect(await p.apps.authenticateSecret(first.secret!)).toMatchObject({ ok: true });
    const second = await p.apps.ensureDevApp({});
    expect(second).toEqual({ created: false, app: first.app });
  });

  it('ensureDevApp never recreates the dev app once the first run happened, even with no app left', async () => {
    // Before: the dev app (anonymous clients, client publish) came back whenever no app existed.
    const p = await fresh();
    expect((await p.apps.ensureDevApp({ settings: { allowAnonymous: true } })).created).toBe(true);
    await p.apps.delete('dev');
    const again = await p.apps.ensureDevApp({ settings: { allowAnonymous: true } });
    expect(again).toEqual({ created: false, app: null });
    expect(await p.apps.list()).toEqual([]);
  });

  it('ensureDevApp takes a configured key and secret, and does nothing once any app exists', async () => {
    const p = await fresh();
    await expect(p.apps.ensureDevApp({ key: 'local', secret: 'dev-secret-123' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    // the refused start did not use up the first run
    const dev = await p.apps.ensureDevApp({ key: 'local', secret: STRONG });
    expect(dev).toMatchObject({ created: true, secret: STRONG, app: { key: 'local' } });
    const other = await fresh();
    await other.apps.create({ name: 'Real', key: 'real' });
    const res = await other.apps.ensureDevApp({});
    expect(res.created).toBe(false);
    expect(res.app).toBeNull();
    expect(await other.apps.findByKey('dev')).toBeNull();
  });

  it('validates input', async () => {
    const p = await fresh();
    await expect(p.apps.create({ name: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(p.apps.create({ name: 'x', key: 'bad key!' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(p.apps.create({ name: 'x', secret: 'short' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      p.apps.create({ name: 'x', settings: { maxConnections: 1.5 } as never }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const { app } = await p.apps.create({ name: '  spaced  ' });
    expect(app.name).toBe('spaced');
    expect(app.key).toMatch(/^app_[0-9a-f]{16}$/);
  });

  it('keeps the master key in <dataDir>/secret.key (0600) and needs it to decrypt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-key-'));
    const p = await fresh(undefined, dir);
    const { secret, tokenKey } = await p.apps.create({ name: 'K', key: 'k1' });
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    // issue 6 item 13: the database file is the owner's alone too (it was 0644)
    expect(statSync(join(dir, 'beacon.db')).mode & 0o777).toBe(0o600);
    await p.close();
    const again = await Persistence.open({ databaseUrl: `file:${join(dir, 'beacon.db')}`, dataDir: dir });
    opened.push(again);
    const [key] = (await again.apps.findByKey('k1'))!.tokenKeys;
    expect(key?.key.export().toString()).toBe(tokenKey.secret);
    const otherKey = await Persistence.open({
      databaseUrl: `file:${join(dir, 'beacon.db')}`,
      dataDir: dir,
      secretKey: Buffer.alloc(32, 7).toString('hex'),
    });
    opened.push(otherKey);
    expect(await otherKey.apps.authenticateSecret(secret)).toEqual({ ok: false, reason: 'unknown' });
    await expect(otherKey.apps.findByKey('k1')).rejects.toMatchObject({ code: 'SECRET_KEY_INVALID' });
  });

  it('rejects a malformed secret key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-key-'));
    dirs.push(dir);
    await expect(
      Persistence.open({ databaseUrl: `file:${join(dir, 'b.db')}`, dataDir: dir, secretKey: 'too-short' }),
    ).rejects.toMatchObject({ code: 'SECRET_KEY_INVALID' });
  });

  it('carries a pre-split app secret over as an HS256 token key, revoked when that secret is rotated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-upgrade-'));
    dirs.push(dir);
    const databaseUrl = `file:${join(dir, 'beacon.db')}`;
    // the database as the version before the split left it: the first two migrations only
    const repo = fileURLToPath(new URL('../../../prisma/', import.meta.url));
    const old = join(dir, 'old-migrations');
    mkdirSync(join(old, 'sqlite'), { recursive: true });
    for (const m of ['20261121171432_init', '20261202185944_audit_count']) {
      cpSync(join(repo, 'sqlite/migrations', m), join(old, 'sqlite/migrations', m), { recursive: true });
    }
    cpSync(
      join(repo, 'sqlite/migrations/migration_lock.toml'),
      join(old, 'sqlite/migrations/migration_lock.toml'),
    );
    await migrate({ databaseUrl, migrationsRoot: old });
    const masterKey = Buffer.alloc(32, 9);
    const box = new SecretBox(masterKey);
    const appId = randomUUID();
    const secretId = randomUUID();
    const secret = 'legacy-secret-of-an-old-app-0123456789';
    const raw = new Database(join(dir, 'beacon.db'));
    raw
      .prepare(
        "INSERT INTO apps (id, key, name, enabled, settings, createdAt, updatedAt) VALUES (?, 'old', 'Old', 1, '{}', 0, 0)",
      )
      .run(appId);
    raw
      .prepare(
        'INSERT INTO app_secrets (id, appId, secretHash, secretCiphertext, createdAt) VALUES (?, ?, ?, ?, 0)',
      )
      .run(secretId, appId, box.hash(secret), box.encrypt(secret, `${appId}/${secretId}`));
    raw.close();

    await migrate({ databaseUrl });
    const p = await Persistence.open({ databaseUrl, dataDir: dir, secretKey: masterKey.toString('hex') });
    opened.push(p);
    // the secret is now only a hash; its ciphertext became the token key
    const check = new Database(join(dir, 'beacon.db'), { readonly: true });
    expect(check.prepare('SELECT secretCiphertext FROM app_secrets').all()).toEqual([
      { secretCiphertext: null },
    ]);
    check.close();
    expect(await p.apps.authenticateSecret(secret)).toMatchObject({ ok: true });
    const keys = (await p.apps.findByKey('old'))!.tokenKeys;
    expect(keys.map((k) => [k.kid, k.alg])).toEqual([[`legacy-${secretId.slice(0, 8)}`, 'HS256']]);
    const token = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(jwtVerify(token, keys[0]!.key)).resolves.toBeDefined();
    expect((await p.apps.listTokenKeys('old'))[0]).toMatchObject({ carriedOver: true });
    // the installation had apps: its first run is behind it
    expect((await p.apps.ensureDevApp({})).created).toBe(false);
    // rotating the secret revokes the key that is a copy of it
    await p.apps.rotateSecret('old');
    expect((await p.apps.findByKey('old'))!.tokenKeys).toEqual([]);
  });
});
