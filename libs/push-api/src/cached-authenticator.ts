import { createHash } from 'node:crypto';
import type { AppAuthenticator, SecretCheck } from './ports.js';

/**
 * Remembers secret checks for `ttlMs` so a publishing backend does not cost a database query per call.
 * Keyed by a SHA-256 of the secret, never the secret. A rotated or disabled key stops working within
 * the TTL (documented in docs/configuration.md).
 */
export class CachedAuthenticator implements AppAuthenticator {
  private readonly entries = new Map<string, { at: number; value: Promise<SecretCheck> }>();

  constructor(
    private readonly inner: AppAuthenticator,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  authenticateSecret(secret: string): Promise<SecretCheck> {
    if (this.ttlMs === 0) return this.inner.authenticateSecret(secret);
    const key = createHash('sha256').update(secret).digest('base64');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = this.inner.authenticateSecret(secret);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
