import type { Session } from '@beacon/admin-api';
import type { OperatorDetails } from '@beacon/persistence';
import { AdminException } from './admin.exception.js';
import type { AdminSettings } from './admin.options.js';
import { SignInLimiter } from './sign-in-limiter.js';
import type { AdminStore } from './store.js';
import { operatorView } from './views.js';

/** A request's signed-in operator. */
export interface SignedIn {
  sessionId: string;
  operator: OperatorDetails;
  session: Session;
}

/**
 * Operator sign-in and sessions. Sessions live in the database (every process sees them; deleting one
 * revokes it everywhere); the cookie holds a random token, the database its SHA-256. A session ends at its
 * absolute expiry or after `sessionIdleMs` without a request; the idle expiry is written back at most every
 * tenth of the idle time, so reads do not each cost a write.
 */
export class OperatorSessions {
  readonly limiter: SignInLimiter;

  constructor(
    private readonly store: AdminStore,
    private readonly settings: AdminSettings,
    private readonly now: () => number,
  ) {
    this.limiter = new SignInLimiter(
      store.signInFailures,
      {
        accountLimit: settings.signInAccountLimit,
        addressLimit: settings.signInAddressLimit,
        windowMs: settings.signInWindowMs,
      },
      now,
    );
  }

  /**
   * Checks the password (the same scrypt work whether the account exists or not: a dummy hash stands in)
   * and opens a session. Refused with 429 past the failure limits (counted in the database, so across every
   * process), before any password is checked.
   */
  async signIn(
    email: string,
    password: string,
    from: { remoteAddr: string; userAgent: string | null },
  ): Promise<{ token: string; signedIn: SignedIn }> {
    const account = email.trim().toLowerCase();
    const attempt = await this.limiter.begin(account, from.remoteAddr);
    if ('retryAfter' in attempt)
      throw new AdminException(
        'rate_limited',
        `too many failed sign-ins: try again in ${attempt.retryAfter} s`,
        {
          retryAfter: attempt.retryAfter,
        },
      );
    // A wrong password leaves the attempt counted as a failure (the limiter recorded it before this check).
    const verified = await this.store.operators.verify(account, password);
    if (verified === null) throw new AdminException('invalid_credentials', 'wrong email or password');
    await this.limiter.succeeded(attempt);
    const now = this.now();
    const expiresAt = new Date(now + this.settings.sessionMaxMs);
    const idleExpiresAt = new Date(Math.min(now + this.settings.sessionIdleMs, expiresAt.getTime()));
    const { token, id } = await this.store.sessions.create({
      operatorId: verified.id,
      now: new Date(now),
      idleExpiresAt,
      expiresAt,
      remoteAddr: from.remoteAddr,
      userAgent: from.userAgent,
    });
    await this.store.operators.markSignedIn(verified.id, new Date(now));
    const operator = await this.store.operators.findById(verified.id);
    if (operator === null) throw new AdminException('unauthenticated', 'the operator is gone');
    return {
      token,
      signedIn: { sessionId: id, operator, session: sessionOf(operator, expiresAt, idleExpiresAt) },
    };
  }

  /** The live session of a cookie token, its idle expiry moved forward; null when missing or expired. */
  async authenticate(token: string | undefined): Promise<SignedIn | null> {
    if (token === undefined || token === '') return null;
    const found = await this.store.sessions.find(token);
    if (found === null) return null;
    const now = this.now();
    if (found.expiresAt.getTime() <= now || found.idleExpiresAt.getTime() <= now || found.operator.disabled) {
      await this.store.sessions.delete(found.id);
      return null;
    }
    let idle = found.idleExpiresAt;
    const moved = new Date(Math.min(now + this.settings.sessionIdleMs, found.expiresAt.getTime()));
    if (moved.getTime() - idle.getTime() >= this.settings.sessionIdleMs / 10) {
      await this.store.sessions.touch(found.id, moved);
      idle = moved;
    }
    return {
      sessionId: found.id,
      operator: found.operator,
      session: sessionOf(found.operator, found.expiresAt, idle),
    };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.store.sessions.delete(sessionId);
  }

  /** Deletes expired sessions and failed sign-ins out of every window (called now and then). */
  async prune(): Promise<number> {
    const [sessions] = await Promise.all([
      this.store.sessions.prune(new Date(this.now())),
      this.limiter.prune(),
    ]);
    return sessions;
  }
}

function sessionOf(operator: OperatorDetails, expiresAt: Date, idleExpiresAt: Date): Session {
  return {
    operator: operatorView(operator),
    expiresAt: expiresAt.toISOString(),
    idleExpiresAt: idleExpiresAt.toISOString(),
  };
}
