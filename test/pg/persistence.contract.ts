// Provider-neutral behaviour of @beacon/persistence. Runs against SQLite in
// libs/persistence/src/persistence.contract.spec.ts and against PostgreSQL in test/pg/persistence.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, Persistence, runMigrations } from '@beacon/persistence';

export interface ContractDatabase {
  databaseUrl: string;
  /** Every stored value of the database as text, to search for plaintext secrets. */
  dump(): Promise<string>;
  cleanup(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Polls `check` until it holds or the deadline passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function persistenceContract(
  label: string,
  provider: 'sqlite' | 'postgresql',
  open: () => Promise<ContractDatabase>,
): void {
  describe(`persistence contract (${label})`, () => {
    let db: ContractDatabase;
    let dataDir: string;
    let p: Persistence;

    beforeAll(async () => {
      db = await open();
      dataDir = mkdtempSync(join(tmpdir(), 'beacon-contract-'));
      await migrate({ databaseUrl: db.databaseUrl });
      p = await Persistence.open({ databaseUrl: db.databaseUrl, dataDir, audit: { flushIntervalMs: 20 } });
    });

    afterAll(async () => {
      await p?.close();
      await db?.cleanup();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('selects the provider from the URL and migrates idempotently', async () => {
      expect(p.provider).toBe(provider);
      const again = await runMigrations({ databaseUrl: db.databaseUrl });
      expect(again.applied).toEqual([]);
    });

    it('agrees with `prisma migrate status`', () => {
      const run = spawnSync(
        join(root, 'node_modules/.bin/prisma'),
        ['migrate', 'status', '--config', join(root, `prisma/${provider}/prisma.config.ts`)],
        { cwd: root, encoding: 'utf8', env: { ...process.env, BEACON_DATABASE_URL: db.databaseUrl } },
      );
      expect(run.stdout).toContain('Database schema is up to date');
      expect(run.status).toBe(0);
    });

    it('creates, lists and finds apps', async () => {
      const { app, secret } = await p.apps.create({
        name: 'Alpha',
        key: 'alpha',
        settings: { clientPublish: true },
      });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(app).toMatchObject({ key: 'alpha', name: 'Alpha', enabled: true });
      expect(app.settings).toEqual({ allowAnonymous: false, clientPublish: true, maxConnections: 10000 });
      expect((await p.apps.list()).map((a) => a.key)).toContain('alpha');
      const found = await p.apps.findByKey('alpha');
      expect(found?.id).toBe(app.id);
      expect(found?.secrets.map((s) => Buffer.from(s).toString('utf8'))).toEqual([secret]);
      expect((await p.apps.findById(app.id))?.key).toBe('alpha');
      expect(await p.apps.findByKey('nope')).toBeNull();
      await expect(p.apps.create({ name: 'Dup', key: 'alpha' })).rejects.toMatchObject({
        code: 'APP_KEY_TAKEN',
      });
    });

    it('authenticates secrets: right, wrong, revoked after rotation, disabled', async () => {
      const { app, secret } = await p.apps.create({ name: 'Beta', key: 'beta' });
      expect(await p.apps.authenticateSecret(secret)).toEqual({
        ok: true,
        app: expect.objectContaining({ id: app.id }),
      });
      expect(await p.apps.authenticateSecret(`${secret}x`)).toEqual({ ok: false, reason: 'unknown' });
      expect(await p.apps.authenticateSecret('')).toEqual({ ok: false, reason: 'unknown' });

      const rotated = await p.apps.rotateSecret('beta');
      expect(rotated.secret).not.toBe(secret);
      expect(await p.apps.authenticateSecret(secret)).toMatchObject({ ok: false, reason: 'revoked' });
      expect(await p.apps.authenticateSecret(rotated.secret)).toMatchObject({ ok: true });
      const found = await p.apps.findByKey('beta');
      expect(found?.secrets.map((s) => Buffer.from(s).toString('utf8'))).toEqual([rotated.secret]);

      expect((await p.apps.setEnabled('beta', false)).enabled).toBe(false);
      expect(await p.apps.authenticateSecret(rotated.secret)).toMatchObject({
        ok: false,
        reason: 'disabled',
      });
      await p.apps.setEnabled('beta', true);
      expect(await p.apps.authenticateSecret(rotated.secret)).toMatchObject({ ok: true });
      await expect(p.apps.rotateSecret('missing')).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
    });

    it('updates settings and deletes apps with their secrets', async () => {
      const { secret } = await p.apps.create({ name: 'Gamma', key: 'gamma' });
      const updated = await p.apps.updateSettings('gamma', { maxConnections: 5, allowAnonymous: true });
      expect(updated.settings).toEqual({ allowAnonymous: true, clientPublish: false, maxConnections: 5 });
      await expect(p.apps.updateSettings('gamma', { maxConnections: -1 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await p.apps.delete('gamma');
      expect(await p.apps.findByKey('gamma')).toBeNull();
      expect(await p.apps.authenticateSecret(secret)).toEqual({ ok: false, reason: 'unknown' });
      await expect(p.apps.delete('gamma')).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
      await expect(p.apps.setEnabled('gamma', true)).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
    });

    it('never stores a secret in plaintext', async () => {
      const { secret } = await p.apps.create({ name: 'Delta', key: 'delta' });
      const { secret: rotated } = await p.apps.rotateSecret('delta');
      const dump = await db.dump();
      expect(dump).toContain('delta');
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(rotated);
    });

    it('creates and verifies operators', async () => {
      const op = await p.operators.create({
        email: 'Ada@Example.org',
        password: 'correct horse',
        role: 'admin',
      });
      expect(op).toMatchObject({ email: 'ada@example.org', role: 'admin' });
      expect(await p.operators.verify('ada@example.org', 'correct horse')).toEqual(op);
      expect(await p.operators.verify('ada@example.org', 'wrong horse')).toBeNull();
      expect(await p.operators.verify('nobody@example.org', 'correct horse')).toBeNull();
      await expect(
        p.operators.create({ email: 'ada@example.org', password: 'another one' }),
      ).rejects.toMatchObject({
        code: 'OPERATOR_EMAIL_TAKEN',
      });
      expect((await p.operators.list()).map((o) => o.email)).toContain('ada@example.org');
      expect(await db.dump()).not.toContain('correct horse');
    });

    it('writes audit records in batches and queries them newest first', async () => {
      const before = p.audit.stats();
      for (let i = 0; i < 120; i++) {
        p.audit.record({
          actor: 'test',
          appId: i % 2 === 0 ? 'app-even' : null,
          action: `act.${i}`,
          result: 'ok',
          detail: { i },
        });
      }
      await waitFor(() => p.audit.stats().written - before.written === 120);
      expect(p.audit.stats()).toMatchObject({ dropped: 0, failed: 0, queued: 0 });
      const even = await p.audit.query({ appId: 'app-even', limit: 5 });
      expect(even.map((r) => r.action)).toEqual(['act.118', 'act.116', 'act.114', 'act.112', 'act.110']);
      expect(even[0]).toMatchObject({ actor: 'test', result: 'ok', detail: { i: 118 }, target: null });
      const older = await p.audit.query({ appId: 'app-even', before: even[4]!.ts, limit: 1000 });
      expect(older.every((r) => r.ts < even[4]!.ts)).toBe(true);
      expect((await p.audit.query({ action: 'act.7' })).map((r) => r.appId)).toEqual([null]);
      expect(await p.audit.query({ actor: 'test', limit: 5000 })).toHaveLength(120);
    });

    it('creates the dev app only when no app exists', async () => {
      const again = await p.apps.ensureDevApp({});
      expect(again.created).toBe(false);
      expect(again.secret).toBeUndefined();
      expect(await p.apps.findByKey('dev')).toBeNull();
    });
  });
}
