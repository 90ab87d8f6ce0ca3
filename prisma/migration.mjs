#!/usr/bin/env node
// Writes and checks the committed migrations of both providers without `prisma migrate dev`
// (which fails under the JS schema engine). See docs/persistence.md.
//
//   node prisma/migration.mjs create <name>   diff committed migrations → schema.prisma, write a new migration per provider
//   node prisma/migration.mjs check           exit 1 when a schema.prisma has changes no migration captures
//
// SQLite diffs against a scratch file; PostgreSQL diffs need a server (BEACON_MIGRATION_PG_URL, default
// postgresql://postgres@127.0.0.1:5432/test) where a scratch database is created and dropped again.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const prismaBin = join(root, 'node_modules', '.bin', 'prisma');
const providers = ['sqlite', 'postgresql'];

function usage(code) {
  console.error('usage: node prisma/migration.mjs create <name> | check');
  process.exit(code);
}

function migrationNames(provider) {
  const dir = join(root, 'prisma', provider, 'migrations');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/** Runs `fn(databaseUrl)` against a scratch database with the committed migrations applied, dropped afterwards. */
async function withMigratedScratchDatabase(provider, fn) {
  const scripts = migrationNames(provider).map((name) =>
    readFileSync(join(root, 'prisma', provider, 'migrations', name, 'migration.sql'), 'utf8'),
  );
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-migration-'));
    try {
      const db = new Database(join(dir, 'scratch.db'));
      for (const sql of scripts) db.exec(sql);
      db.close();
      return await fn(`file:${join(dir, 'scratch.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const base = new URL(process.env.BEACON_MIGRATION_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  const database = `beacon_migration_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
    const url = new URL(base);
    url.pathname = `/${database}`;
    const scratch = new pg.Client({ connectionString: url.toString() });
    await scratch.connect();
    try {
      for (const sql of scripts) await scratch.query(sql);
    } finally {
      await scratch.end();
    }
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
    await admin.end();
  }
}

function prisma(provider, databaseUrl, args) {
  const config = join(root, 'prisma', provider, 'prisma.config.ts');
  const run = spawnSync(prismaBin, [...args, '--config', config], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BEACON_DATABASE_URL: databaseUrl, BEACON_PRISMA_INTROSPECT: '1' },
  });
  if (run.status !== 0)
    throw new Error(`prisma ${args.join(' ')} (${provider}) failed:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}

/**
 * SQL taking the committed migrations to schema.prisma ('' when they already match). `migrate diff
 * --from-migrations` and `--from-schema-datasource` do not work with driver adapters in Prisma 6.19, so the
 * migrations are applied to a scratch database, introspected with `db pull --print`, and that datamodel diffed.
 */
async function diff(provider) {
  const schema = join(root, 'prisma', provider, 'schema.prisma');
  const to = ['--to-schema-datamodel', schema, '--script'];
  const tmp = mkdtempSync(join(tmpdir(), 'beacon-migration-'));
  try {
    const sql = await withMigratedScratchDatabase(provider, async (databaseUrl) => {
      if (migrationNames(provider).length === 0)
        return prisma(provider, databaseUrl, ['migrate', 'diff', '--from-empty', ...to]);
      const pulled = prisma(provider, databaseUrl, ['db', 'pull', '--print']);
      // The CLI prints a driver-adapter warning to stdout ahead of the schema.
      writeFileSync(
        join(tmp, 'current.prisma'),
        pulled.slice(Math.max(0, pulled.search(/^(generator|datasource) /m))),
      );
      return prisma(provider, databaseUrl, [
        'migrate',
        'diff',
        '--from-schema-datamodel',
        join(tmp, 'current.prisma'),
        ...to,
      ]);
    });
    // The committed SQL stays schema-neutral: `?schema=` decides where it lands.
    const neutral = sql.replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n+/g, '').trim();
    return neutral === '' || neutral === '-- This is an empty migration.' ? '' : `${neutral}\n`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function timestamp() {
  return new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function create(name) {
  if (!/^[a-z0-9_]+$/.test(name ?? '')) usage(1);
  const stamp = timestamp();
  for (const provider of providers) {
    const sql = await diff(provider);
    if (sql === '') {
      console.log(`${provider}: no changes`);
      continue;
    }
    const dir = join(root, 'prisma', provider, 'migrations');
    mkdirSync(join(dir, `${stamp}_${name}`), { recursive: true });
    writeFileSync(join(dir, `${stamp}_${name}`, 'migration.sql'), sql);
    const lock = join(dir, 'migration_lock.toml');
    if (!existsSync(lock)) {
      const text =
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\n';
      writeFileSync(lock, `${text}provider = "${provider}"\n`);
    }
    console.log(`${provider}: wrote migrations/${stamp}_${name}/migration.sql`);
  }
}

async function check() {
  let stale = false;
  for (const provider of providers) {
    const sql = await diff(provider);
    if (sql !== '') {
      stale = true;
      console.error(`${provider}: schema.prisma has changes no migration captures:\n${sql}`);
    } else console.log(`${provider}: migrations match schema.prisma`);
  }
  if (stale) {
    console.error('run: node prisma/migration.mjs create <name>');
    process.exit(1);
  }
}

const [command, name] = process.argv.slice(2);
if (command === 'create') await create(name);
else if (command === 'check') await check();
else usage(command === '--help' || command === '-h' ? 0 : 1);
