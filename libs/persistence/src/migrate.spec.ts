import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './database-url.js';
import { loadMigrations, migrate, runMigrations } from './migrate.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('migrate', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'beacon-migrate-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('creates the SQLite file and its folder, applies every migration once', async () => {
    const url = `file:${join(tmp(), 'a', 'b', 'beacon.db')}`;
    const first = await runMigrations({ databaseUrl: url });
    expect(first.applied).toEqual(loadMigrations('sqlite').map((m) => m.name));
    expect((await runMigrations({ databaseUrl: url })).applied).toEqual([]);
  });

  it('accepts a database `prisma migrate deploy` migrated, and records what Prisma records', async () => {
    const file = join(tmp(), 'cli.db');
    const run = spawnSync(
      join(root, 'node_modules/.bin/prisma'),
      ['migrate', 'deploy', '--config', join(root, 'prisma/sqlite/prisma.config.ts')],
      { cwd: root, encoding: 'utf8', env: { ...process.env, BEACON_DATABASE_URL: `file:${file}` } },
    );
    expect(run.status).toBe(0);
    const warnings: string[] = [];
    expect(
      (await runMigrations({ databaseUrl: `file:${file}`, onWarning: (w) => warnings.push(w) })).applied,
    ).toEqual([]);
    expect(warnings).toEqual([]);

    const ours = join(tmp(), 'ours.db');
    await migrate({ databaseUrl: `file:${ours}` });
    const cols = (f: string) => {
      const db = new Database(f, { readonly: true });
      const rows = db
        .prepare('SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations')
        .all();
      db.close();
      return rows;
    };
    expect(cols(ours)).toEqual(cols(file));
  });

  it('refuses to continue past a failed migration, like `migrate deploy`', async () => {
    const file = join(tmp(), 'failed.db');
    await migrate({ databaseUrl: `file:${file}` });
    const db = new Database(file);
    db.exec('UPDATE _prisma_migrations SET finished_at = NULL');
    db.close();
    await expect(migrate({ databaseUrl: `file:${file}` })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
    });
  });

  it('rolls a broken migration back entirely', async () => {
    const migrations = tmp();
    const url = `file:${join(tmp(), 'broken.db')}`;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(migrations, 'sqlite', 'migrations', '1_ok'), { recursive: true });
    mkdirSync(join(migrations, 'sqlite', 'migrations', '2_bad'), { recursive: true });
    writeFileSync(
      join(migrations, 'sqlite', 'migrations', '1_ok', 'migration.sql'),
      'CREATE TABLE t (x INTEGER);',
    );
    writeFileSync(
      join(migrations, 'sqlite', 'migrations', '2_bad', 'migration.sql'),
      'CREATE TABLE u (y); NOT SQL;',
    );
    await expect(migrate({ databaseUrl: url, migrationsRoot: migrations })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('2_bad'),
    });
    const db = new Database(url.slice(5), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    db.close();
    expect(tables).toEqual([]);
  });

  it('selects the provider from the URL and honours ?schema=', () => {
    expect(parseDatabaseUrl('file:./x.db')).toMatchObject({ provider: 'sqlite' });
    const pg = parseDatabaseUrl('postgresql://u:p%40ss@db.example:6543/beacon?schema=tenant_1');
    expect(pg).toMatchObject({ provider: 'postgresql', schema: 'tenant_1' });
    expect(pg.provider === 'postgresql' && pg.pool).toMatchObject({
      host: 'db.example',
      port: 6543,
      user: 'u',
      password: 'p@ss',
      database: 'beacon',
      options: '-c search_path="tenant_1"',
    });
    expect(parseDatabaseUrl('postgres://h/db')).toMatchObject({ provider: 'postgresql', schema: 'public' });
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_DATABASE_URL' }),
    );
  });
});
