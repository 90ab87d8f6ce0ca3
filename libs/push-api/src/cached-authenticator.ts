import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { AppAuthenticator, SecretCheck } from './ports.js';

interface Entry {
  at: number;
  value: Promise<SecretCheck>;
}

/**
 * Remembers secret checks for `ttlMs` so a publishing backend does not cost a database query per call.
 * Keyed by a SHA-256 of the secret, never the secret. The app change feed calls `invalidate()` on every
 * change to any app, from any process, so a rotated, disabled or deleted app's secret stops working within
 * one poll of the feed, not a TTL. Accepted secrets and refused ones live in separate LRUs: a flood of
 * random secrets only churns the refusals and never evicts a tenant's cached check.
 */
export class CachedAuthenticator implements AppAuthenticator {
  private readonly accepted: LRUCache<string, Entry>;
  private readonly refused: LRUCache<string, Entry>;
  private generation = 0;

  constructor(
    private readonly inner: AppAuthenticator,
    private readonly ttlMs: number,
    maxEntries = 10_000,
  ) {
    this.accepted = new LRUCache({ max: maxEntries });
    this.refused = new LRUCache({ max: maxEntries });
  }

  authenticateSecret(secret: string): Promise<SecretCheck> {
    if (this.ttlMs === 0) return this.inner.authenticateSecret(secret);
    const key = createHash('sha256').update(secret).digest('base64');
    const now = Date.now();
    const hit = this.accepted.get(key) ?? this.refused.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value;
    const entry: Entry = { at: now, value: this.inner.authenticateSecret(secret) };
    const generation = this.generation;
    // A pending check waits among the refusals, so concurrent floods cannot push out accepted entries.
    this.refused.set(key, entry);
    entry.value.then(
      (check) => {
        if (this.generation !== generation || this.refused.get(key) !== entry) return;
        if (check.ok) {
          this.refused.delete(key);
          this.accepted.set(key, entry);
        } else this.accepted.delete(key);
      },
      () => {
        if (this.refused.get(key) === entry) this.refused.delete(key);
      },
    );
    return entry.value;
  }

  /** Forgets every cached check (the next call of each secret asks the database). */
  invalidate(): void {
    this.generation++;
    this.accepted.clear();
    this.refused.clear();
  }
}
