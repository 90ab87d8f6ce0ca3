// Provider-neutral behaviour of @beacon/persistence. Runs against SQLite in
// libs/persistence/src/persistence.contract.spec.ts and against PostgreSQL in test/pg/persistence.test.ts.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
      const { app, secret, tokenKey } = await p.apps.create({
        name: 'Alpha',
        key: 'alpha',
        settings: { clientPublish: true },
      });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(app).toMatchObject({ key: 'alpha', name: 'Alpha', enabled: true });
      expect(app.settings).toEqual({
        allowAnonymous: false,
        clientPublish: true,
        maxConnections: 10000,
        maxTokenLifetimeSec: 86400,
        publishRate: null,
        publishBurst: null,
        maxTopicsPerConnection: null,
        maxMessageBytes: null,
        presence: [],
        presenceMaxMembers: 1000,
        history: [],
        serverFrames: 'beacon',
      });
      expect((await p.apps.list()).map((a) => a.key)).toContain('alpha');
      const found = await p.apps.findByKey('alpha');
      expect(found?.id).toBe(app.id);
      expect(found?.tokenKeys.map((k) => [k.kid, k.alg, k.key.export().toString()])).toEqual([
        [tokenKey.kid, 'HS256', tokenKey.secret],
      ]);
      expect(tokenKey.secret).not.toBe(secret);
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
      // a push secret's rotation leaves the token keys alone
      expect((await p.apps.findByKey('beta'))?.tokenKeys).toHaveLength(1);

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
      expect(updated.settings).toEqual({
        allowAnonymous: true,
        clientPublish: false,
        maxConnections: 5,
        maxTokenLifetimeSec: 86400,
        publishRate: null,
        publishBurst: null,
        maxTopicsPerConnection: null,
        maxMessageBytes: null,
        presence: [],
        presenceMaxMembers: 1000,
        history: [],
        serverFrames: 'beacon',
      });
      const limited = await p.apps.updateSettings(
        'gamma',
        { publishRate: 3, maxMessageBytes: 512 },
        'Gamma 2',
      );
      expect(limited).toMatchObject({ name: 'Gamma 2', settings: { publishRate: 3, maxMessageBytes: 512 } });
      expect((await p.apps.updateSettings('gamma', { publishRate: null })).settings.publishRate).toBeNull();
      await expect(p.apps.updateSettings('gamma', { maxMessageBytes: 8 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await expect(p.apps.updateSettings('gamma', { maxConnections: -1 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await p.apps.delete('gamma');
      expect(await p.apps.findByKey('gamma')).toBeNull();
      expect(await p.apps.authenticateSecret(secret)).toEqual({ ok: false, reason: 'unknown' });
      await expect(p.apps.delete('gamma')).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
      await expect(p.apps.setEnabled('gamma', true)).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
    });

    it('never stores a secret or an HS256 token key in plaintext', async () => {
      const { secret, tokenKey } = await p.apps.create({ name: 'Delta', key: 'delta' });
      const { secret: rotated } = await p.apps.rotateSecret('delta');
      const { tokenKey: rekeyed } = await p.apps.rotateTokenKey('delta');
      const dump = await db.dump();
      expect(dump).toContain('delta');
      for (const s of [secret, rotated, tokenKey.secret, rekeyed.secret]) expect(dump).not.toContain(s);
    });

    it('manages token keys: HS256 rotation, public keys, revocation', async () => {
      const { tokenKey } = await p.apps.create({ name: 'Keys', key: 'keys' });
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const added = await p.apps.addTokenKey('keys', { alg: 'ES256', kid: 'ec-1', publicKey: pem });
      expect(added.key).toMatchObject({ kid: 'ec-1', alg: 'ES256', publicKey: pem, revokedAt: null });
      await expect(
        p.apps.addTokenKey('keys', { alg: 'ES256', kid: 'ec-1', publicKey: pem }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await expect(
        p.apps.addTokenKey('keys', { alg: 'RS256', publicKey: 'not a key' }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      const { tokenKey: next } = await p.apps.rotateTokenKey('keys');
      const active = (await p.apps.findByKey('keys'))!.tokenKeys.map((k) => k.kid).sort();
      expect(active).toEqual(['ec-1', next.kid].sort());
      await p.apps.revokeTokenKey('keys', 'ec-1');
      await expect(p.apps.revokeTokenKey('keys', 'ec-1')).rejects.toMatchObject({
        code: 'TOKEN_KEY_NOT_FOUND',
      });
      const all = await p.apps.listTokenKeys('keys', { includeRevoked: true });
      expect(all.map((k) => [k.kid, k.revokedAt === null])).toEqual([
        [tokenKey.kid, false],
        ['ec-1', false],
        [next.kid, true],
      ]);
    });

    it('writes every app change to the feed, in order, in the same transaction', async () => {
      const from = await p.changes.latestSeq();
      await p.apps.create({ name: 'Feed', key: 'feed' });
      await p.apps.setEnabled('feed', false);
      await p.apps.updateSettings('feed', { clientPublish: true });
      await p.apps.rotateSecret('feed');
      await p.apps.rotateTokenKey('feed');
      await p.apps.delete('feed');
      await expect(p.apps.setEnabled('feed', true)).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
      const feed = (await p.changes.since(from)).filter((c) => c.appKey === 'feed');
      expect(feed.map((c) => c.kind)).toEqual([
        'created',
        'disabled',
        'updated',
        'secret_rotated',
        'token_keys',
        'deleted',
      ]);
      expect(new Set(feed.map((c) => c.appId)).size).toBe(1);
      expect(await p.changes.prune(new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(6);
      expect(await p.changes.since(from)).toEqual([]);
    });

    it('a change watcher hands out each change once, and reads rows only when the probe sees news', async () => {
      const got: string[] = [];
      const w = await p.changes.watch({
        intervalMs: 3_600_000, // polled by hand below
        onChanges: (changes) => void got.push(...changes.map((c) => `${c.appKey} ${c.kind}`)),
      });
      const since = vi.spyOn(p.changes, 'since');
      try {
        await w.poll();
        expect(since).not.toHaveBeenCalled();
        await p.apps.create({ name: 'Watched', key: 'watched' });
        await p.apps.setEnabled('watched', false);
        const latest = await p.changes.latestSeq();
        expect(await p.changes.probe(latest - 2)).toEqual({ count: 2, max: latest });
        await w.poll();
        expect(got).toEqual(['watched created', 'watched disabled']);
        expect(since).toHaveBeenCalledTimes(1);
        await w.poll();
        await w.poll();
        expect(since).toHaveBeenCalledTimes(1);
        await p.apps.delete('watched');
        await w.poll();
        expect(got).toEqual(['watched created', 'watched disabled', 'watched deleted']);
        expect(since).toHaveBeenCalledTimes(2);
      } finally {
        since.mockRestore();
        await w.stop();
      }
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

    it('changes operators, never leaving no enabled admin; disabling deletes their sessions', async () => {
      const boss = await p.operators.create({
        email: 'boss@example.org',
        password: 'boss password',
        role: 'admin',
      });
      const peer = await p.operators.create({ email: 'peer@example.org', password: 'peer password' });
      // ada (above) is an admin too: demote her so boss is the last enabled admin
      const ada = (await p.operators.list()).find((o) => o.email === 'ada@example.org')!;
      await p.operators.update(ada.id, { role: 'viewer' });
      await expect(p.operators.update(boss.id, { disabled: true })).rejects.toMatchObject({
        code: 'LAST_ADMIN',
      });
      await expect(p.operators.update(boss.id, { role: 'viewer' })).rejects.toMatchObject({
        code: 'LAST_ADMIN',
      });
      await expect(p.operators.update('nope', { role: 'viewer' })).rejects.toMatchObject({
        code: 'OPERATOR_NOT_FOUND',
      });
      const now = new Date();
      const s = await p.sessions.create({
        operatorId: peer.id,
        now,
        idleExpiresAt: new Date(now.getTime() + 60_000),
        expiresAt: new Date(now.getTime() + 3_600_000),
        remoteAddr: '127.0.0.1',
        userAgent: 'contract',
      });
      expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const found = await p.sessions.find(s.token);
      expect(found).toMatchObject({ id: s.id, operator: { email: 'peer@example.org', role: 'viewer' } });
      expect(await db.dump()).not.toContain(s.token);
      await p.sessions.touch(s.id, new Date(now.getTime() + 120_000));
      expect((await p.sessions.find(s.token))?.idleExpiresAt.getTime()).toBe(now.getTime() + 120_000);
      const updated = await p.operators.update(peer.id, { disabled: true, role: 'admin' });
      expect(updated).toMatchObject({ disabled: true, role: 'admin' });
      expect(await p.sessions.find(s.token)).toBeNull();
      await p.operators.markSignedIn(boss.id, now);
      expect((await p.operators.findById(boss.id))?.lastSignInAt?.getTime()).toBe(now.getTime());
      const old = await p.sessions.create({ operatorId: boss.id, now, idleExpiresAt: now, expiresAt: now });
      expect(await p.sessions.prune(new Date(now.getTime() + 1))).toBeGreaterThanOrEqual(1);
      expect(await p.sessions.find(old.token)).toBeNull();
      await p.operators.update(ada.id, { role: 'admin' });
    });

    it('keeps failed sign-ins per key: newest first within the window, withdrawn, cleared, pruned', async () => {
      const f = p.signInFailures;
      const t0 = new Date(Date.UTC(2026, 0, 1, 12));
      const at = (s: number) => new Date(t0.getTime() + s * 1000);
      const first = await f.record(['account:ada@example.org', 'address:10.0.0.1'], at(0));
      expect(first).toHaveLength(2);
      await f.record(['account:ada@example.org', 'address:10.0.0.1'], at(10));
      await f.record(['account:ada@example.org', 'address:10.0.0.2'], at(20));
      expect(await f.recent('account:ada@example.org', at(-1), 10)).toEqual([at(20), at(10), at(0)]);
      expect(await f.recent('account:ada@example.org', at(-1), 2)).toEqual([at(20), at(10)]);
      expect(await f.recent('account:ada@example.org', at(0), 10)).toEqual([at(20), at(10)]); // strictly after
      expect(await f.recent('address:10.0.0.1', at(-1), 10)).toEqual([at(10), at(0)]);
      await f.remove(first);
      expect(await f.recent('address:10.0.0.1', at(-1), 10)).toEqual([at(10)]);
      await f.clear('account:ada@example.org');
      expect(await f.recent('account:ada@example.org', at(-1), 10)).toEqual([]);
      expect(await f.prune(at(15))).toBe(1); // address:10.0.0.1 at 10
      expect(await f.recent('address:10.0.0.2', at(-1), 10)).toEqual([at(20)]);
      expect(await f.prune(at(20))).toBe(1);
    });

    it('filters audit records by result and time, pages by cursor, and reads what is new after an id', async () => {
      const t0 = Date.now() - 10_000;
      const results = ['ok', '200', '401 invalid_key', 'app_not_found', '403 forbidden'];
      for (let i = 0; i < 10; i++)
        p.audit.record({
          actor: 'filter',
          action: 'f',
          result: results[i % 5]!,
          ts: new Date(t0 + i * 1000),
        });
      await p.audit.flush();
      const ok = await p.audit.query({ actor: 'filter', result: 'ok', limit: 100 });
      expect(ok.map((r) => r.result).sort()).toEqual(['200', '200', 'ok', 'ok']);
      const refused = await p.audit.query({ actor: 'filter', result: 'refused', limit: 100 });
      expect(refused).toHaveLength(6);
      expect((await p.audit.query({ actor: 'filter', result: '401 invalid_key' })).length).toBe(2);
      const ranged = await p.audit.query({
        actor: 'filter',
        from: new Date(t0 + 2000),
        to: new Date(t0 + 4000),
        limit: 100,
      });
      expect(ranged.map((r) => r.ts.getTime())).toEqual([t0 + 4000, t0 + 3000, t0 + 2000]);
      const page1 = await p.audit.query({ actor: 'filter', limit: 4 });
      const last = page1[3]!;
      const page2 = await p.audit.query({ actor: 'filter', limit: 4, cursor: { ts: last.ts, id: last.id } });
      expect(page2.map((r) => r.ts.getTime())).toEqual([t0 + 5000, t0 + 4000, t0 + 3000, t0 + 2000]);
      const newest = (await p.audit.query({ limit: 1, order: 'id' }))[0]!;
      p.audit.record({ actor: 'filter', action: 'later', result: 'ok' });
      await p.audit.flush();
      const after = await p.audit.query({ afterId: newest.id, limit: 10 });
      expect(after.map((r) => r.action)).toEqual(['later']);
    });

    it('creates the dev app on the first run only', async () => {
      const again = await p.apps.ensureDevApp({});
      expect(again.created).toBe(false);
      expect(again.secret).toBeUndefined();
      expect(await p.apps.findByKey('dev')).toBeNull();
    });
  });
}
