import type { AuditQuery, AuditRecordOut, AuditRow, AuditStore } from './audit-log.js';
import type { Db } from './prisma-client.js';

/** `ok`, or any 2xx status: the `ok` filter (audit-log.ts isOkResult). */
const OK_RESULT = [{ result: 'ok' }, { result: { startsWith: '2' } }];

const SQLITE_COLUMNS = '(id, ts, actor, appId, action, target, result, remoteAddr, count, detail)';
const SQLITE_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** SQLite allows 32766 bound parameters per statement; 10 per row. */
const SQLITE_ROWS_PER_STATEMENT = 1000;

/**
 * AuditStore over Prisma: batched inserts, newest-first reads on the (appId, ts) / ts indexes.
 *
 * On SQLite the driver is synchronous, so a batch write blocks the event loop for as long as it takes;
 * `createMany` spends most of that compiling the query (Prisma's WebAssembly query compiler), about
 * 8 ms for 40 rows. A raw multi-row INSERT in the exact format Prisma stores (ISO-8601 text with
 * `+00:00`, JSON as text; a spec reads rows back through Prisma) skips the compiler. PostgreSQL keeps
 * `createMany`: its I/O does not block the loop.
 */
export class PrismaAuditStore implements AuditStore {
  constructor(
    private readonly db: Db,
    private readonly provider: 'sqlite' | 'postgresql' = 'sqlite',
  ) {}

  async insertMany(rows: AuditRow[]): Promise<void> {
    if (this.provider === 'sqlite') return this.insertSqlite(rows);
    await this.db.auditRecord.createMany({
      data: rows.map(({ detail, ...row }) =>
        detail === null
          ? row
          : {
              ...row,
              detail: detail as NonNullable<Parameters<Db['auditRecord']['create']>[0]['data']['detail']>,
            },
      ),
    });
  }

  private async insertSqlite(rows: AuditRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += SQLITE_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + SQLITE_ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      for (const r of chunk) {
        params.push(
          r.id,
          r.ts.toISOString().replace('Z', '+00:00'),
          r.actor,
          r.appId,
          r.action,
          r.target,
          r.result,
          r.remoteAddr,
          r.count,
          r.detail === null || r.detail === undefined ? null : JSON.stringify(r.detail),
        );
      }
      const values = new Array<string>(chunk.length).fill(SQLITE_ROW).join(', ');
      await this.db.$executeRawUnsafe(
        `INSERT INTO audit_records ${SQLITE_COLUMNS} VALUES ${values}`,
        ...params,
      );
    }
  }

  async find(q: AuditQuery & { limit: number }): Promise<AuditRecordOut[]> {
    const and: Array<Record<string, unknown>> = [];
    if (q.result === 'ok') and.push({ OR: OK_RESULT });
    else if (q.result === 'refused') and.push({ NOT: OK_RESULT });
    else if (q.result !== undefined) and.push({ result: q.result });
    if (q.before !== undefined) and.push({ ts: { lt: q.before } });
    if (q.from !== undefined) and.push({ ts: { gte: q.from } });
    if (q.to !== undefined) and.push({ ts: { lte: q.to } });
    if (q.cursor !== undefined)
      and.push({ OR: [{ ts: { lt: q.cursor.ts } }, { ts: q.cursor.ts, id: { lt: q.cursor.id } }] });
    if (q.afterId !== undefined) and.push({ id: { gt: q.afterId } });
    const rows = await this.db.auditRecord.findMany({
      where: {
        ...(q.appId !== undefined && { appId: q.appId }),
        ...(q.action !== undefined && { action: q.action }),
        ...(q.actor !== undefined && { actor: q.actor }),
        ...(and.length > 0 && { AND: and }),
      },
      orderBy:
        q.afterId !== undefined
          ? [{ id: 'asc' }]
          : q.order === 'id'
            ? [{ id: 'desc' }]
            : [{ ts: 'desc' }, { id: 'desc' }],
      take: q.limit,
    });
    return rows.map((r) => ({
      id: r.id,
      ts: r.ts,
      actor: r.actor,
      appId: r.appId,
      action: r.action,
      target: r.target,
      result: r.result,
      remoteAddr: r.remoteAddr,
      count: r.count,
      detail: r.detail ?? null,
    }));
  }
}
