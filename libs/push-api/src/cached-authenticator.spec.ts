import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CachedAuthenticator } from './cached-authenticator.js';
import type { AppAuthenticator, SecretCheck } from './ports.js';

const APP = { id: 'a1', key: 'shop', enabled: true } as never;

function counting(): AppAuthenticator & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    authenticateSecret(secret: string): Promise<SecretCheck> {
      calls.set(secret, (calls.get(secret) ?? 0) + 1);
      return Promise.resolve(secret === 'good' ? { ok: true, app: APP } : { ok: false, reason: 'unknown' });
    },
  };
}

describe('CachedAuthenticator', () => {
  it('a flood of random secrets never evicts a tenant’s cached check (issue 6 item 13)', async () => {
    // Before: the cache emptied itself at 10,000 entries, so 10,000 made-up secrets evicted every tenant.
    const inner = counting();
    const cache = new CachedAuthenticator(inner, 60_000, 1_000);
    expect(await cache.authenticateSecret('good')).toMatchObject({ ok: true });
    for (let i = 0; i < 20_000; i++) await cache.authenticateSecret(randomBytes(16).toString('hex'));
    expect(await cache.authenticateSecret('good')).toMatchObject({ ok: true });
    expect(inner.calls.get('good')).toBe(1);
  });

  it('shares one lookup between concurrent calls, and invalidate() forgets everything at once', async () => {
    const inner = counting();
    const cache = new CachedAuthenticator(inner, 60_000);
    await Promise.all([cache.authenticateSecret('good'), cache.authenticateSecret('good')]);
    expect(inner.calls.get('good')).toBe(1);
    await cache.authenticateSecret('bad');
    await cache.authenticateSecret('bad');
    expect(inner.calls.get('bad')).toBe(1);
    cache.invalidate();
    await cache.authenticateSecret('good');
    await cache.authenticateSecret('bad');
    expect(inner.calls.get('good')).toBe(2);
    expect(inner.calls.get('bad')).toBe(2);
  });
});
