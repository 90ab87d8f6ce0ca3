import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow } from './audit-log.js';
import { PrismaAuditStore } from './audit-store.js';
import { parseDatabaseUrl } from './database-url.js';
import { migrate } from './migrate.js';
import { createPrismaClient, type Db } from './prisma-client.js';

const dir = mkdtempSync(join(tmpdir(), 'beacon-audit-store-'));
const file = join(dir, 'beacon.db');
let db: Db;

beforeAll(async () => {
  await migrate({ databaseUrl: `file:${file}` });
  db = await createPrismaClient(parseDatabaseUrl(`file:${file}`));
});
afterAll(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const row = (id: string, detail: unknown): AuditRow => ({
  id,
  ts: new Date('2026-11-21T10:11:12.345Z'),
  actor: 'app:k',
  appId: null,
  action: 'publish',
  target: "t,'quoted'",
  result: '200',
  remoteAddr: '127.0.0.1',
  count: 1,
  detail,
});

describe('PrismaAuditStore on SQLite', () => {
  it('stores with the raw INSERT exactly what createMany stores, and Prisma reads it back', async () => {
    const detail = { k: [1, 'é', null], nested: { a: true } };
    await new PrismaAuditStore(db, 'sqlite').insertMany([row('raw-1', detail), row('raw-2', null)]);
    // The same rows through Prisma's own createMany (the path PostgreSQL uses).
    await new PrismaAuditStore(db, 'postgresql').insertMany([row('prisma-1', detail), row('prisma-2', null)]);

    const raw = new Database(file, { readonly: true });
    const stored = raw.prepare('SELECT * FROM audit_records ORDER BY id').all() as Array<
      Record<string, unknown>
    >;
    raw.close();
    const strip = ({ id: _id, ...rest }: Record<string, unknown>) => rest;
    const byId = Object.fromEntries(stored.map((r) => [r.id, strip(r)]));
    expect(byId['raw-1']).toEqual(byId['prisma-1']);
    expect(byId['raw-2']).toEqual(byId['prisma-2']);

    const read = await new PrismaAuditStore(db, 'sqlite').find({ limit: 10, actor: 'app:k' });
    const one = read.find((r) => r.id === 'raw-1');
    expect(one).toMatchObject({
      ts: new Date('2026-11-21T10:11:12.345Z'),
      detail,
      target: "t,'quoted'",
      count: 1,
    });
    await new PrismaAuditStore(db, 'sqlite').insertMany([{ ...row('raw-many', null), count: 42 }]);
    const many = await new PrismaAuditStore(db, 'sqlite').find({ limit: 1000 });
    expect(many.find((r) => r.id === 'raw-many')?.count).toBe(42);
  });

  it('writes batches larger than one statement allows', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ ...row(`big-${i}`, null), actor: 'app:big' }));
    await new PrismaAuditStore(db, 'sqlite').insertMany(rows);
    expect(await db.auditRecord.count({ where: { actor: 'app:big' } })).toBe(2500);
  });
});
