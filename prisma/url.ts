// Database URL helpers shared by the Prisma CLI configs. The library has its own copy in
// libs/persistence/src/database-url.ts (libs do not import from prisma/); keep the two in step.
import type { PoolConfig } from 'pg';

/** `file:./data/beacon.db` → `./data/beacon.db` (query string dropped). */
export function sqliteFileFromUrl(url: string): string {
  const path = url.replace(/^file:/, '').replace(/\?.*$/, '');
  return path === '' ? ':memory:' : path;
}

/**
 * A PostgreSQL URL as discrete pool fields plus its `?schema=` (none: public). Discrete fields, not a
 * connectionString: the migration adapter's shadow database overrides `database`, which a connectionString
 * would silently win over.
 */
export function postgresPoolConfig(url: string): { pool: PoolConfig; schema: string | undefined } {
  const u = new URL(url);
  const pool: PoolConfig = {
    host: decodeURIComponent(u.hostname) || u.searchParams.get('host') || 'localhost',
    port: u.port === '' ? 5432 : Number(u.port),
    database: decodeURIComponent(u.pathname.slice(1)) || undefined,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    // The CLI exits only once idle pooled connections close (pg's default waits 10 s).
    idleTimeoutMillis: 200,
  };
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && sslmode !== 'disable') pool.ssl = { rejectUnauthorized: sslmode === 'verify-full' };
  const schema = u.searchParams.get('schema') ?? undefined;
  // Committed migrations hold unqualified names: they land in the first schema of the search path.
  if (schema !== undefined) pool.options = `-c search_path="${schema.replace(/"/g, '""')}"`;
  return { pool, schema };
}
