// Database URL helpers for the Prisma CLI configs: thin views over the library's one parser
// (libs/persistence/src/database-url.ts), so the CLI and the app always read a URL the same way.
import type { PoolConfig } from 'pg';
import { parseDatabaseUrl } from '../libs/persistence/src/database-url.js';

/** `file:./data/beacon.db` → the SQLite file's absolute path. */
export function sqliteFileFromUrl(url: string): string {
  const target = parseDatabaseUrl(url);
  if (target.provider !== 'sqlite') throw new Error('the SQLite Prisma config needs a file: URL');
  return target.file;
}

/**
 * A PostgreSQL URL as discrete pool fields plus its `?schema=`. Discrete fields, not a connectionString:
 * the migration adapter's shadow database overrides `database`, which a connectionString would win over.
 */
export function postgresPoolConfig(url: string): { pool: PoolConfig; schema: string } {
  const target = parseDatabaseUrl(url);
  if (target.provider !== 'postgresql')
    throw new Error('the PostgreSQL Prisma config needs a postgres:// URL');
  // The CLI exits only once idle pooled connections close (pg's default waits 10 s).
  return { pool: { ...target.pool, idleTimeoutMillis: 200 }, schema: target.schema };
}
