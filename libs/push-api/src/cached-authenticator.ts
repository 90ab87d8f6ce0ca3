import { hash } from 'node:crypto';
import { LookupCache } from '@beacon/routing';
import type { AppAuthenticator, SecretCheck } from './ports.js';

/**
 * Remembers secret checks for `ttlMs` so a publishing backend does not cost a database query per call.
 * Keyed by a SHA-256 of the secret, never the secret. The app change feed calls `invalidate()` on every
 * change to any app, from any process, so a rotated, disabled or deleted app's secret stops working within
 * one poll of the feed, not a TTL. Accepted and refused checks are cached apart (LookupCache): a flood of
 * random secrets only churns the refusals and never evicts a tenant's cached check.
 */
export class CachedAuthenticator implements AppAuthenticator {
  private readonly cache: LookupCache<SecretCheck>;

  constructor(
    private readonly inner: AppAuthenticator,
    private readonly ttlMs: number,
    maxEntries = 10_000,
  ) {
    this.cache = new LookupCache(ttlMs, maxEntries, (check) => check.ok);
  }

  authenticateSecret(secret: string): Promise<SecretCheck> {
    if (this.ttlMs === 0) return this.inner.authenticateSecret(secret);
    // crypto.hash: the one-shot form, half the cost of createHash().update().digest() for a short input.
    const key = hash('sha256', secret, 'base64');
    return this.cache.get(key, () => this.inner.authenticateSecret(secret));
  }

  /** Forgets every cached check (the next call of each secret asks the database). */
  invalidate(): void {
    this.cache.clear();
  }
}
