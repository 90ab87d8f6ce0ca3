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

/** An operator as the admin API lists it (never its password hash). */
export interface OperatorDetails {
  id: string;
  email: string;
  role: OperatorRole;
  disabled: boolean;
  createdAt: Date;
  lastSignInAt: Date | null;
}

interface OperatorRow {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  createdAt: Date;
  lastSignInAt: Date | null;
}

function details(r: OperatorRow): OperatorDetails {
  return {
    id: r.id,
    email: r.email,
    role: r.role === 'admin' ? 'admin' : 'viewer',
    disabled: r.disabled,
    createdAt: r.createdAt,
    lastSignInAt: r.lastSignInAt,
  };
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

  async list(): Promise<OperatorDetails[]> {
    const rows = await this.db.operator.findMany({ orderBy: [{ createdAt: 'asc' }, { email: 'asc' }] });
    return rows.map(details);
  }

  async count(): Promise<number> {
    return this.db.operator.count();
  }

  async findById(id: string): Promise<OperatorDetails | null> {
    const row = await this.db.operator.findUnique({ where: { id } });
    return row ? details(row) : null;
  }

  async markSignedIn(id: string, at: Date): Promise<void> {
    await this.db.operator.updateMany({ where: { id }, data: { lastSignInAt: at } });
  }

  /**
   * Changes an operator's role or disables it. Refused with LAST_ADMIN when no enabled admin would be left
   * (checked and written in one transaction). Disabling deletes the operator's sessions in the same
   * transaction: it is signed out everywhere at once.
   */
  async update(id: string, change: { role?: OperatorRole; disabled?: boolean }): Promise<OperatorDetails> {
    if (change.role !== undefined && !OPERATOR_ROLES.includes(change.role))
      throw new PersistenceError('INVALID_INPUT', 'role must be admin or viewer');
    return this.db.$transaction(async (tx) => {
      const row = await tx.operator.findUnique({ where: { id } });
      if (!row) throw new PersistenceError('OPERATOR_NOT_FOUND', `no operator ${JSON.stringify(id)}`);
      const role = change.role ?? row.role;
      const disabled = change.disabled ?? row.disabled;
      if (row.role === 'admin' && !row.disabled && (role !== 'admin' || disabled)) {
        const others = await tx.operator.count({
          where: { role: 'admin', disabled: false, id: { not: id } },
        });
        if (others === 0)
          throw new PersistenceError(
            'LAST_ADMIN',
            `${row.email} is the last enabled admin; make another operator an admin first`,
          );
      }
      const updated = await tx.operator.update({ where: { id }, data: { role, disabled } });
      if (disabled && !row.disabled) await tx.operatorSession.deleteMany({ where: { operatorId: id } });
      return details(updated);
    });
  }
}
