import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { persistenceContract } from '../../../test/pg/persistence.contract.js';

/** Every table's rows plus the raw bytes of the database files (main, WAL, journal). */
export function dumpSqlite(dir: string, file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
      name: string;
    }>;
    const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all()));
    const raw = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1'));
    return [...rows, ...raw].join('\n');
  } finally {
    db.close();
  }
}

persistenceContract('SQLite', 'sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-sqlite-'));
  const file = join(dir, 'nested', 'beacon.db');
  return {
    databaseUrl: `file:${file}`,
    dump: async () => dumpSqlite(join(dir, 'nested'), file),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
