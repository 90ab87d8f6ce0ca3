import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  ensureSqliteDir,
  parseDatabaseUrl,
  quoteIdent,
  type DatabaseTarget,
  type Provider,
} from './database-url.js';
import { PersistenceError } from './persistence.exception.js';

/**
 * Applies the committed migrations (prisma/<provider>/migrations) in order, recording each in Prisma's
 * `_prisma_migrations` table exactly as `prisma migrate deploy` does (same DDL, sha256 checksum of
 * migration.sql), so `prisma migrate status` / `deploy` agree with it and either may run first.
 * Each migration is applied in a transaction with its bookkeeping row: a failure leaves nothing behind.
 * Concurrent boots serialise on Prisma's own advisory lock (PostgreSQL) or a write transaction (SQLite).
 */
export interface MigrateOptions {
  databaseUrl: string;
  /** Folder holding `sqlite/` and `postgresql/` migration trees; default: the repository's prisma/. */
  migrationsRoot?: string;
  /** Non-fatal findings (edited or unknown applied migrations). Default: ignored. */
  onWarning?: (message: string) => void;
}

export interface MigrateResult {
  provider: Provider;
  applied: string[];
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Prisma's advisory lock key for migrations (schema-engine), shared so the CLI and this runner exclude each other. */
const PRISMA_ADVISORY_LOCK = 72707369;

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const POSTGRES_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** libs/persistence/{src,dist}/migrate.* → <repo>/prisma/ */
export const DEFAULT_MIGRATIONS_ROOT = fileURLToPath(new URL('../../../prisma/', import.meta.url));

export function loadMigrations(provider: Provider, root = DEFAULT_MIGRATIONS_ROOT): Migration[] {
  const dir = join(root, provider, 'migrations');
  if (!existsSync(dir)) throw new PersistenceError('MIGRATIONS_NOT_FOUND', `no migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(opts: MigrateOptions): Promise<void> {
  await runMigrations(opts);
}

/** migrate(), reporting what it applied. */
export async function runMigrations(opts: MigrateOptions): Promise<MigrateResult> {
  const target = parseDatabaseUrl(opts.databaseUrl);
  const migrations = loadMigrations(target.provider, opts.migrationsRoot);
  const warn = opts.onWarning ?? (() => undefined);
  const applied =
    target.provider === 'sqlite'
      ? migrateSqlite(target.file, migrations, warn)
      : await migratePostgres(target, migrations, warn);
  return { provider: target.provider, applied };
}

/** Which migrations are pending; throws on a failed one (as `migrate deploy` does, P3009). */
function pending(rows: AppliedRow[], migrations: Migration[], warn: (m: string) => void): Migration[] {
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new PersistenceError(
      'MIGRATION_FAILED',
      `migration ${failed.migration_name} is marked as failed in _prisma_migrations; ` +
        'fix the database, then run `prisma migrate resolve` (see docs/persistence.md)',
    );
  }
  const done = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
  const known = new Set(migrations.map((m) => m.name));
  for (const name of done.keys())
    if (!known.has(name)) warn(`applied migration ${name} is not in this build`);
  for (const m of migrations) {
    const sum = done.get(m.name);
    if (sum !== undefined && sum !== m.checksum) warn(`migration ${m.name} was edited after it was applied`);
  }
  return migrations.filter((m) => !done.has(m.name));
}

function fail(name: string, err: unknown): PersistenceError {
  const detail = err instanceof Error ? err.message : String(err);
  return new PersistenceError('MIGRATION_FAILED', `migration ${name} failed: ${detail}`, { cause: err });
}

function migrateSqlite(file: string, migrations: Migration[], warn: (m: string) => void): string[] {
  ensureSqliteDir(file);
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 10000');
    // Like Prisma's schema engine: foreign keys off while migrating (table redefinitions must not cascade),
    // checked once before commit instead.
    db.pragma('foreign_keys = OFF');
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(SQLITE_TABLE);
      const rows = db
        .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"')
        .all() as AppliedRow[];
      const todo = pending(rows, migrations, warn);
      const now = (): string => new Date().toISOString().replace('Z', '+00:00');
      for (const m of todo) {
        const id = randomUUID();
        db.prepare(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
        ).run(id, m.checksum, m.name, now());
        try {
          db.exec(m.sql);
        } catch (err) {
          throw fail(m.name, err);
        }
        db.prepare(
          'UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?',
        ).run(now(), id);
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) throw fail(todo.at(-1)?.name ?? '?', new Error('foreign key check failed'));
      db.exec('COMMIT');
      return todo.map((m) => m.name);
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(
  target: Extract<DatabaseTarget, { provider: 'postgresql' }>,
  migrations: Migration[],
  warn: (m: string) => void,
): Promise<string[]> {
  const client = new pg.Client(target.pool);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
      await client.query(POSTGRES_TABLE);
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
      );
      const todo = pending(rows, migrations, warn);
      for (const m of todo) {
        await client.query('BEGIN');
        try {
          const id = randomUUID();
          await client.query(
            'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
            [id, m.checksum, m.name],
          );
          try {
            await client.query(m.sql);
          } catch (err) {
            throw fail(m.name, err);
          }
          await client.query(
            'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
            [id],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
      return todo.map((m) => m.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
