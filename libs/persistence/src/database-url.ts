import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PoolConfig } from 'pg';
import { PersistenceError } from './persistence.exception.js';

export type Provider = 'sqlite' | 'postgresql';

export type DatabaseTarget =
  { provider: 'sqlite'; file: string } | { provider: 'postgresql'; pool: PoolConfig; schema: string };

/**
 * The URL selects the provider: `file:<path>` → SQLite (path relative to the working directory),
 * `postgres://` / `postgresql://` → PostgreSQL, honouring `?schema=` (default public).
 * The Prisma CLI configs read URLs through this too (prisma/url.ts).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/\?.*$/, '');
    if (path === '') throw new PersistenceError('UNSUPPORTED_DATABASE_URL', 'file: URL without a path');
    return { provider: 'sqlite', file: path === ':memory:' ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      throw new PersistenceError('UNSUPPORTED_DATABASE_URL', 'malformed PostgreSQL URL', { cause: err });
    }
    const schema = u.searchParams.get('schema') ?? 'public';
    const pool: PoolConfig = {
      host: decodeURIComponent(u.hostname) || u.searchParams.get('host') || 'localhost',
      port: u.port === '' ? 5432 : Number(u.port),
      database: decodeURIComponent(u.pathname.slice(1)) || undefined,
      user: decodeURIComponent(u.username) || undefined,
      password: u.password === '' ? undefined : decodeURIComponent(u.password),
      // Committed migrations and raw statements use unqualified names: they resolve in `schema`.
      options: `-c search_path=${quoteIdent(schema)}`,
    };
    const sslmode = u.searchParams.get('sslmode');
    if (sslmode !== null && sslmode !== 'disable')
      pool.ssl = { rejectUnauthorized: sslmode === 'verify-full' };
    return { provider: 'postgresql', pool, schema };
  }
  // Never echo the URL: it may hold a password.
  throw new PersistenceError(
    'UNSUPPORTED_DATABASE_URL',
    'database URL must start with file:, postgres:// or postgresql://',
  );
}

export function providerOf(url: string): Provider {
  return parseDatabaseUrl(url).provider;
}

/**
 * Creates the SQLite file's parent directory (0700 when it makes it) and the file itself, empty and 0600, when
 * it does not exist yet: the database holds secret hashes and encrypted token keys, so it is the owner's
 * alone from the first byte. SQLite gives its -wal and -shm files the database file's permissions.
 * An existing file keeps the permissions it has.
 */
export function ensureSqliteDir(file: string): void {
  if (file === ':memory:') return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
