import type { AuditQuery, AuditRecordOut, AuditRow, AuditStore } from './audit-log.js';
import type { Db } from './prisma-client.js';

/** AuditStore over Prisma: createMany batches, newest-first reads on the (appId, ts) / ts indexes. */
export class PrismaAuditStore implements AuditStore {
  constructor(private readonly db: Db) {}

  async insertMany(rows: AuditRow[]): Promise<void> {
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

  async find(q: AuditQuery & { limit: number }): Promise<AuditRecordOut[]> {
    const rows = await this.db.auditRecord.findMany({
      where: {
        ...(q.appId !== undefined && { appId: q.appId }),
        ...(q.action !== undefined && { action: q.action }),
        ...(q.actor !== undefined && { actor: q.actor }),
        ...(q.before !== undefined && { ts: { lt: q.before } }),
      },
      orderBy: [{ ts: 'desc' }, { id: 'desc' }],
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
      detail: r.detail ?? null,
    }));
  }
}
