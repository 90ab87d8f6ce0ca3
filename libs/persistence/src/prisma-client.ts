import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { ensureSqliteDir, type DatabaseTarget } from './database-url.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';

/**
 * The Prisma client the repositories use. Both generated clients share one datamodel, so the SQLite client's
 * type describes either; only the driver adapter differs.
 */
export type Db = SqlitePrismaClient;

export async function createPrismaClient(target: DatabaseTarget): Promise<Db> {
  if (target.provider === 'sqlite') {
    ensureSqliteDir(target.file);
    const db = new SqlitePrismaClient({
      adapter: new PrismaBetterSQLite3({ url: target.file, timeout: 10_000 }),
    });
    await db.$connect();
    // WAL lets the CLI write while a server reads; foreign keys carry the app → secrets cascade.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
    return db;
  }
  const adapter = new PrismaPg(target.pool, { schema: target.schema });
  const db = new PostgresPrismaClient({ adapter });
  await db.$connect();
  return db as unknown as Db;
}
