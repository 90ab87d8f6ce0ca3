// Prisma CLI configuration for the SQLite schema (JS schema engine + driver adapter: works offline).
// Usage: npx prisma <command> --config prisma/sqlite/prisma.config.ts
// BEACON_DATABASE_URL selects the file (default file:./data/beacon.db, relative to the working directory).
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';
import { sqliteFileFromUrl } from '../url.js';

const here = new URL('.', import.meta.url);
process.env.BEACON_DATABASE_URL ??= 'file:./data/beacon.db';
const url = process.env.BEACON_DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: new URL('schema.prisma', here).pathname,
  migrations: { path: new URL('migrations', here).pathname },
  adapter: async () => new PrismaBetterSQLite3({ url: sqliteFileFromUrl(url) }),
});
