import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Persistence } from '@beacon/persistence';
import { runCli, type CliIo } from './run-cli.js';

describe('beacon CLI', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    env = { BEACON_DATA_DIR: join(dir, 'data') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(argv: string[], stdin = ''): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env,
      readStdin: async () => stdin,
      username: 'tester',
    };
    return { code: await runCli(argv, io), out, err };
  }

  /** Reads the database directly, as the server would. */
  async function withPersistence<T>(fn: (p: Persistence) => Promise<T>): Promise<T> {
    const p = await Persistence.open({
      databaseUrl: `file:${join(dir, 'data', 'beacon.db')}`,
      dataDir: join(dir, 'data'),
    });
    try {
      return await fn(p);
    } finally {
      await p.close();
    }
  }

  const secretOf = (out: string[]): string => {
    const line = out.find((l) => /secret[: ]/i.test(l) && !/token/i.test(l) && /[A-Za-z0-9_-]{43}/.test(l));
    return /([A-Za-z0-9_-]{43})/.exec(line ?? '')![1]!;
  };

  async function lastAudit(key: string) {
    return withPersistence(async (p) => (await p.audit.query({ limit: 1000 })).find((r) => r.target === key));
  }

  it('prints usage with --help and fails on unknown commands', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain('apps create --name NAME');
    const bad = await cli(['apps', 'explode']);
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toContain('unknown command "apps explode"');
    const badFlag = await cli(['apps', 'list', '--colour']);
    expect(badFlag.code).toBe(1);
  });

  it('creates an app, shows the secret once, and audits it', async () => {
    const res = await cli([
      'apps',
      'create',
      '--name',
      'Shop',
      '--key',
      'shop',
      '--client-publish',
      '--max-connections',
      '50',
    ]);
    expect(res.code).toBe(0);
    expect(res.out.join('\n')).toContain('will not be shown again');
    const secret = secretOf(res.out);
    await withPersistence(async (p) => {
      expect(await p.apps.authenticateSecret(secret)).toMatchObject({ ok: true, app: { key: 'shop' } });
      expect((await p.apps.findByKey('shop'))?.settings).toEqual({
        allowAnonymous: false,
        clientPublish: true,
        maxConnections: 50,
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
    });
    expect(await lastAudit('shop')).toMatchObject({
      actor: 'cli:tester',
      action: 'app.create',
      result: 'ok',
    });
    expect((await cli(['apps', 'create', '--name', 'Again', '--key', 'shop'])).code).toBe(1);
  });

  it('lists apps as a table and as JSON, without secrets', async () => {
    const res = await cli(['apps', 'list']);
    expect(res.code).toBe(0);
    expect(res.out[0]).toMatch(/^KEY\s+NAME\s+ENABLED/);
    expect(res.out.some((l) => l.startsWith('shop') && l.includes('Shop'))).toBe(true);
    const json = await cli(['apps', 'list', '--json']);
    const apps = JSON.parse(json.out.join('\n')) as Array<Record<string, unknown>>;
    expect(apps.find((a) => a.key === 'shop')).toMatchObject({ name: 'Shop', enabled: true });
    expect(JSON.stringify(apps)).not.toMatch(/secret/i);
  });

  it('rotates: the old secret is rejected, the new one accepted', async () => {
    const created = await cli(['apps', 'create', '--name', 'Rot', '--key', 'rot']);
    const old = secretOf(created.out);
    const rotated = await cli(['apps', 'rotate', 'rot']);
    expect(rotated.code).toBe(0);
    const fresh = secretOf(rotated.out);
    await withPersistence(async (p) => {
      expect(await p.apps.authenticateSecret(old)).toMatchObject({ ok: false, reason: 'revoked' });
      expect(await p.apps.authenticateSecret(fresh)).toMatchObject({ ok: true });
    });
    expect(await lastAudit('rot')).toMatchObject({ action: 'app.rotate', result: 'ok' });
  });

  it('disables and enables an app', async () => {
    const secret = secretOf((await cli(['apps', 'create', '--name', 'Tog', '--key', 'tog'])).out);
    expect((await cli(['apps', 'disable', 'tog'])).code).toBe(0);
    expect(await lastAudit('tog')).toMatchObject({ action: 'app.disable', result: 'ok' });
    await withPersistence(async (p) =>
      expect(await p.apps.authenticateSecret(secret)).toMatchObject({ reason: 'disabled' }),
    );
    expect((await cli(['apps', 'enable', 'tog'])).code).toBe(0);
    expect(await lastAudit('tog')).toMatchObject({ action: 'app.enable', result: 'ok' });
    await withPersistence(async (p) =>
      expect(await p.apps.authenticateSecret(secret)).toMatchObject({ ok: true }),
    );
  });

  it('deletes an app, and fails clearly for an unknown one', async () => {
    await cli(['apps', 'create', '--name', 'Gone', '--key', 'gone']);
    expect((await cli(['apps', 'delete', 'gone'])).code).toBe(0);
    expect(await lastAudit('gone')).toMatchObject({ action: 'app.delete', result: 'ok' });
    await withPersistence(async (p) => expect(await p.apps.findByKey('gone')).toBeNull());
    const missing = await cli(['apps', 'delete', 'gone']);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toContain('no app with key "gone"');
    expect(await lastAudit('gone')).toMatchObject({ action: 'app.delete', result: 'app_not_found' });
    expect((await cli(['apps', 'rotate'])).code).toBe(1);
  });

  it('creates operators from stdin or a flag', async () => {
    const res = await cli(
      ['operators', 'create', '--email', 'ops@example.org', '--password-stdin', '--role', 'admin'],
      'hunter2hunter2\n',
    );
    expect(res.code).toBe(0);
    await withPersistence(async (p) =>
      expect(await p.operators.verify('ops@example.org', 'hunter2hunter2')).toMatchObject({ role: 'admin' }),
    );
    expect(await lastAudit('ops@example.org')).toMatchObject({ action: 'operator.create', result: 'ok' });
    expect((await cli(['operators', 'create', '--email', 'x@example.org'])).code).toBe(1);
    expect(
      (
        await cli([
          'operators',
          'create',
          '--email',
          'x@example.org',
          '--password',
          'longenough',
          '--role',
          'god',
        ])
      ).code,
    ).toBe(1);
  });

  it('tails the audit log, optionally for one app', async () => {
    const all = await cli(['audit', 'tail', '--limit', '3']);
    expect(all.code).toBe(0);
    expect(all.out).toHaveLength(3);
    const shop = await cli(['audit', 'tail', '--app', 'shop']);
    expect(shop.out).toHaveLength(1);
    expect(shop.out[0]).toMatch(/cli:tester\s+app\.create\s+shop\s+ok$/);
    expect((await cli(['audit', 'tail', '--app', 'nope'])).code).toBe(1);
    expect((await cli(['audit', 'tail', '--limit', 'x'])).code).toBe(1);
  });

  it('updates settings with apps update, and refuses bad values', async () => {
    await cli(['apps', 'create', '--name', 'Upd', '--key', 'upd', '--anonymous']);
    const res = await cli([
      'apps',
      'update',
      'upd',
      '--no-anonymous',
      '--client-publish',
      '--max-token-lifetime',
      '600',
    ]);
    expect(res.code).toBe(0);
    expect(res.out.join('\n')).toMatch(/anonymous no, client publish yes.*max token lifetime 600 s/);
    await withPersistence(async (p) =>
      expect((await p.apps.findByKey('upd'))?.settings).toMatchObject({
        allowAnonymous: false,
        clientPublish: true,
        maxTokenLifetimeSec: 600,
      }),
    );
    expect(await lastAudit('upd')).toMatchObject({ action: 'app.update', result: 'ok' });
    expect((await cli(['apps', 'update', 'upd'])).code).toBe(1);
    const live = await cli([
      'apps',
      'update',
      'upd',
      '--presence',
      'room.*, /chat/**',
      '--presence-max-members',
      '50',
      '--history',
      'room.*:200:300',
      '--history',
      'log.**:10:60',
    ]);
    expect(live.code).toBe(0);
    await withPersistence(async (p) =>
      expect((await p.apps.findByKey('upd'))?.settings).toMatchObject({
        presence: ['room.*', '/chat/**'],
        presenceMaxMembers: 50,
        history: [
          { pattern: 'room.*', size: 200, ttlSec: 300 },
          { pattern: 'log.**', size: 10, ttlSec: 60 },
        ],
      }),
    );
    expect((await cli(['apps', 'update', 'upd', '--history', 'room.*:0:300'])).code).toBe(1);
    expect((await cli(['apps', 'update', 'upd', '--history', 'nonsense'])).code).toBe(1);
    expect((await cli(['apps', 'update', 'upd', '--history', 'none'])).code).toBe(0);
    expect((await cli(['apps', 'update', 'upd', '--max-token-lifetime', '5'])).code).toBe(1);
  });

  it("apps update renames and sets or resets the per-app limit overrides (the admin API's use case)", async () => {
    await cli(['apps', 'create', '--name', 'Lim', '--key', 'lim']);
    const set = await cli([
      'apps',
      'update',
      'lim',
      '--name',
      'Limited',
      '--publish-rate',
      '2',
      '--max-topics',
      '3',
    ]);
    expect(set.code).toBe(0);
    expect(set.out.join('\n')).toMatch(/publish rate 2\/burst default, max topics 3/);
    await withPersistence(async (p) => {
      const app = await p.apps.findByKey('lim');
      expect(app?.name).toBe('Limited');
      expect(app?.settings).toMatchObject({
        publishRate: 2,
        maxTopicsPerConnection: 3,
        maxMessageBytes: null,
      });
    });
    expect((await cli(['apps', 'update', 'lim', '--publish-rate', 'default'])).code).toBe(0);
    await withPersistence(async (p) =>
      expect((await p.apps.findByKey('lim'))?.settings.publishRate).toBeNull(),
    );
    expect((await cli(['apps', 'update', 'lim', '--max-message-bytes', '8'])).code).toBe(1);
    expect(await lastAudit('lim')).toMatchObject({ actor: 'cli:tester', action: 'app.update' });
  });

  it('lists and updates operators; never the last enabled admin', async () => {
    await cli([
      'operators',
      'create',
      '--email',
      'boss@example.org',
      '--password',
      'boss-password-1',
      '--role',
      'admin',
    ]);
    await cli(['operators', 'create', '--email', 'peer@example.org', '--password', 'peer-password-1']);
    const listed = await cli(['operators', 'list']);
    expect(listed.out.join('\n')).toMatch(/peer@example\.org\s+viewer\s+enabled/);
    expect((await cli(['operators', 'update', 'peer@example.org', '--disable'])).code).toBe(0);
    await withPersistence(async (p) =>
      expect(await p.operators.verify('peer@example.org', 'peer-password-1')).toBeNull(),
    );
    const admins = await withPersistence(async (p) =>
      (await p.operators.list()).filter((o) => o.role === 'admin' && !o.disabled),
    );
    for (const a of admins.slice(1)) await cli(['operators', 'update', a.email, '--role', 'viewer']);
    const last = await cli(['operators', 'update', admins[0]!.email, '--role', 'viewer']);
    expect(last.code).toBe(1);
    expect(last.err.join('\n')).toContain('last enabled admin');
    expect(await lastAudit(admins[0]!.id)).toMatchObject({ action: 'operator.update', result: 'last_admin' });
  });

  it('shows the token key apart from the push secret, and manages keys', async () => {
    const created = await cli(['apps', 'create', '--name', 'Keyed', '--key', 'keyed']);
    const tokenLine = created.out.find((l) => l.includes('token key:'))!;
    const tokenKey = /([A-Za-z0-9_-]{43})/.exec(tokenLine)![1]!;
    expect(tokenKey).not.toBe(secretOf(created.out));
    const listed = await cli(['keys', 'list', 'keyed']);
    expect(listed.out[0]).toMatch(/^KID\s+ALG\s+STATE/);
    expect(listed.out[1]).toMatch(/^k_[0-9a-f]{12}\s+HS256\s+active/);
    expect(listed.out.join('\n')).not.toContain(tokenKey);

    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const file = join(dir, 'ed.pem');
    writeFileSync(file, pem);
    const added = await cli([
      'keys',
      'add',
      'keyed',
      '--alg',
      'EdDSA',
      '--public-key',
      file,
      '--kid',
      'ed-1',
    ]);
    expect(added.code).toBe(0);
    expect(await lastAudit('keyed')).toMatchObject({ action: 'app.add_public_key', result: 'ok' });
    expect((await cli(['keys', 'add', 'keyed', '--alg', 'ES256', '--public-key', file])).code).toBe(1);

    const rotated = await cli(['keys', 'rotate', 'keyed']);
    expect(rotated.code).toBe(0);
    expect((await cli(['keys', 'revoke', 'keyed', 'ed-1'])).code).toBe(0);
    expect(await lastAudit('keyed/ed-1')).toMatchObject({ action: 'app.revoke_key', result: 'ok' });
    const all = await cli(['keys', 'list', 'keyed', '--all', '--json']);
    const keys = JSON.parse(all.out.join('\n')) as Array<{ kid: string; revokedAt: string | null }>;
    expect(keys.map((k) => [k.kid, k.revokedAt === null])).toEqual([
      [expect.stringMatching(/^k_/), false],
      ['ed-1', false],
      [expect.stringMatching(/^k_/), true],
    ]);
    expect((await cli(['keys', 'revoke', 'keyed', 'ed-1'])).code).toBe(1);
  });

  it('never prints raw control characters from audit records (issue 6, item 10), and shows counts', async () => {
    await withPersistence(async (p) => {
      p.audit.record({
        actor: 'app:evil',
        action: 'publish',
        target: 'user:\u001b[2J\u001b]0;owned\u0007',
        result: 'ok',
      });
      for (let n = 0; n < 7; n++)
        p.audit.tally({
          actor: 'app:x\u202eexe',
          action: 'auth',
          target: 'back\\slash',
          result: 'invalid_key',
        });
      await p.audit.flush();
    });
    const lines = (await cli(['audit', 'tail', '--limit', '2'])).out;

    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    const out = lines.join('\n');
    expect(out).toContain('user:\\x1b[2J\\x1b]0;owned\\x07');
    expect(out).toContain('app:x\\u202eexe');
    expect(out).toContain('back\\\\slash');
    expect(out).toMatch(/invalid_key\s+×7/);
  });
});
