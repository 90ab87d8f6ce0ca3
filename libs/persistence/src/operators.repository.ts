import { randomUUID } from 'node:crypto';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.js';
import { isUniqueViolation, PersistenceError } from './persistence.exception.js';
import type { Db } from './prisma-client.js';

export type OperatorRole = 'admin' | 'viewer';
export const OPERATOR_ROLES: readonly OperatorRole[] = ['admin', 'viewer'];

export interface OperatorRecord {
  id: string;
  email: string;
  role: string;
}

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1024;

function normaliseEmail(email: string): string {
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}

/** Dashboard / admin API operators, with scrypt password hashes. */
export class OperatorsRepository {
  constructor(private readonly db: Db) {}

  async create(input: { email: string; password: string; role?: OperatorRole }): Promise<OperatorRecord> {
    const email = normaliseEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
      throw new PersistenceError('INVALID_INPUT', 'email must look like name@domain');
    }
    const role = input.role ?? 'viewer';
    if (!OPERATOR_ROLES.includes(role))
      throw new PersistenceError('INVALID_INPUT', 'role must be admin or viewer');
    if (
      typeof input.password !== 'string' ||
      input.password.length < PASSWORD_MIN ||
      input.password.length > PASSWORD_MAX
    ) {
      throw new PersistenceError(
        'INVALID_INPUT',
        `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
      );
    }
    const passwordHash = await hashPassword(input.password);
    try {
      const row = await this.db.operator.create({ data: { id: randomUUID(), email, passwordHash, role } });
      return { id: row.id, email: row.email, role: row.role };
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new PersistenceError('OPERATOR_EMAIL_TAKEN', 'an operator with that email already exists');
      }
      throw err;
    }
  }

  /** The operator when the password matches and the account is enabled, else null (same cost either way). */
  async verify(email: string, password: string): Promise<OperatorRecord | null> {
    const row = await this.db.operator.findUnique({ where: { email: normaliseEmail(email) } });
    const ok = await verifyPassword(
      typeof password === 'string' ? password : '',
      row?.passwordHash ?? DUMMY_PASSWORD_HASH,
    );
    if (!row || !ok || row.disabled) return null;
    return { id: row.id, email: row.email, role: row.role };
  }

  async list(): Promise<Array<OperatorRecord & { createdAt: Date }>> {
    const rows = await this.db.operator.findMany({ orderBy: [{ createdAt: 'asc' }, { email: 'asc' }] });
    return rows.map((r) => ({ id: r.id, email: r.email, role: r.role, createdAt: r.createdAt }));
  }
}
