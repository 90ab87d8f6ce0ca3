import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { Persistence } from './persistence.js';

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

  it('ensureDevApp takes a configured key and secret, and does nothing once any app exists', async () => {
    const p = await fresh();
    const dev = await p.apps.ensureDevApp({ key: 'local', secret: 'dev-secret-123' });
    expect(dev).toMatchObject({ created: true, secret: 'dev-secret-123', app: { key: 'local' } });
    const other = await fresh();
    await other.apps.create({ name: 'Real', key: 'real' });
    const res = await other.apps.ensureDevApp({});
    expect(res.created).toBe(false);
    expect(res.app.key).toBe('real');
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
    const { secret } = await p.apps.create({ name: 'K', key: 'k1' });
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    await p.close();
    const again = await Persistence.open({ databaseUrl: `file:${join(dir, 'beacon.db')}`, dataDir: dir });
    opened.push(again);
    expect(Buffer.from((await again.apps.findByKey('k1'))!.secrets[0]!).toString()).toBe(secret);
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
});
