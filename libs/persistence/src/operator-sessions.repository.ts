import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './prisma-client.js';
import type { OperatorDetails } from './operators.repository.js';

/** A live session with its operator, as `find` returns it. */
export interface OperatorSessionRecord {
  /** SHA-256 of the token (hex): what is stored, never the token. */
  id: string;
  operator: OperatorDetails;
  createdAt: Date;
  idleExpiresAt: Date;
  expiresAt: Date;
}

/** The token's stored form. The cookie carries the token; a leaked database row cannot be replayed. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Operators' sessions, in the database so that every process (single process or each push-api) sees the
 * same sessions and a revocation (sign-out, operator disabled) takes effect everywhere at once.
 */
export class OperatorSessionsRepository {
  constructor(private readonly db: Db) {}

  /** Opens a session; returns the token for the cookie (32 random bytes, base64url), shown only here. */
  async create(input: {
    operatorId: string;
    now: Date;
    idleExpiresAt: Date;
    expiresAt: Date;
    remoteAddr?: string | null;
    userAgent?: string | null;
  }): Promise<{ token: string; id: string }> {
    const token = randomBytes(32).toString('base64url');
    const id = sessionIdOf(token);
    await this.db.operatorSession.create({
      data: {
        id,
        operatorId: input.operatorId,
        createdAt: input.now,
        idleExpiresAt: input.idleExpiresAt,
        expiresAt: input.expiresAt,
        remoteAddr: input.remoteAddr?.slice(0, 100) ?? null,
        userAgent: input.userAgent?.slice(0, 300) ?? null,
      },
    });
    return { token, id };
  }

  /** The session of a token with its operator, or null (unknown token). Expiry is the caller's to judge. */
  async find(token: string): Promise<OperatorSessionRecord | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
    const row = await this.db.operatorSession.findUnique({
      where: { id: sessionIdOf(token) },
      include: { operator: true },
    });
    if (!row) return null;
    const o = row.operator;
    return {
      id: row.id,
      createdAt: row.createdAt,
      idleExpiresAt: row.idleExpiresAt,
      expiresAt: row.expiresAt,
      operator: {
        id: o.id,
        email: o.email,
        role: o.role === 'admin' ? 'admin' : 'viewer',
        disabled: o.disabled,
        createdAt: o.createdAt,
        lastSignInAt: o.lastSignInAt,
      },
    };
  }

  async touch(id: string, idleExpiresAt: Date): Promise<void> {
    await this.db.operatorSession.updateMany({ where: { id }, data: { idleExpiresAt } });
  }

  async delete(id: string): Promise<void> {
    await this.db.operatorSession.deleteMany({ where: { id } });
  }

  async deleteForOperator(operatorId: string): Promise<number> {
    return (await this.db.operatorSession.deleteMany({ where: { operatorId } })).count;
  }

  /** Deletes sessions past either expiry. */
  async prune(now: Date): Promise<number> {
    const r = await this.db.operatorSession.deleteMany({
      where: { OR: [{ expiresAt: { lte: now } }, { idleExpiresAt: { lte: now } }] },
    });
    return r.count;
  }
}
