import { randomUUID } from 'node:crypto';
import type { Db } from './prisma-client.js';

/** Longest stored key: `account:` or `address:` and an email or an address, clipped. */
const MAX_KEY_LENGTH = 300;

/**
 * Failed operator sign-ins (docs/persistence.md#sign-in-failures), one row per limited key and failure. In the
 * database, so the rate limits per account and per address hold across every process sharing it: a cluster's
 * push-apis count the same failures. Rows are plain timestamps; the limiter decides what they mean.
 */
export class SignInFailuresRepository {
  constructor(private readonly db: Db) {}

  /** Records one failure at `at` under each key; returns the new rows' ids (to withdraw them again). */
  async record(keys: readonly string[], at: Date): Promise<string[]> {
    const rows = keys.map((key) => ({ id: randomUUID(), key: key.slice(0, MAX_KEY_LENGTH), at }));
    await this.db.signInFailure.createMany({ data: rows });
    return rows.map((r) => r.id);
  }

  /** The times of the key's newest failures after `since`, newest first, at most `limit`. */
  async recent(key: string, since: Date, limit: number): Promise<Date[]> {
    const rows = await this.db.signInFailure.findMany({
      where: { key: key.slice(0, MAX_KEY_LENGTH), at: { gt: since } },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
      select: { at: true },
    });
    return rows.map((r) => r.at);
  }

  /** Withdraws rows by id. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.signInFailure.deleteMany({ where: { id: { in: [...ids] } } });
  }

  /** Forgets every failure of a key (a successful sign-in clears its account). */
  async clear(key: string): Promise<void> {
    await this.db.signInFailure.deleteMany({ where: { key: key.slice(0, MAX_KEY_LENGTH) } });
  }

  /** Deletes failures at or before `before` (out of every window); returns how many. */
  async prune(before: Date): Promise<number> {
    const r = await this.db.signInFailure.deleteMany({ where: { at: { lte: before } } });
    return r.count;
  }
}
