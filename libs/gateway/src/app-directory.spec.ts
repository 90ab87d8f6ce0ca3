import { describe, expect, it } from 'vitest';
import { CachedAppDirectory, type AppDirectory, type GatewayApp } from './app-directory.js';

const app = (key: string): GatewayApp => ({
  id: `id-${key}`,
  key,
  enabled: true,
  settings: { allowAnonymous: true, clientPublish: false, maxConnections: 10, maxTokenLifetimeSec: 3600 },
  tokenKeys: [],
});

function counting(known: string[]): AppDirectory & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    findByKey(key: string) {
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return Promise.resolve(known.includes(key) ? app(key) : null);
    },
  };
}

describe('CachedAppDirectory', () => {
  it('unknown keys never evict a known app (issue 6 item 13)', async () => {
    const inner = counting(['shop']);
    const dir = new CachedAppDirectory(inner, 60_000, 100);
    expect(await dir.findByKey('shop')).toMatchObject({ key: 'shop' });
    for (let i = 0; i < 5_000; i++) expect(await dir.findByKey(`nope-${i}`)).toBeNull();
    expect(await dir.findByKey('shop')).toMatchObject({ key: 'shop' });
    expect(inner.calls.get('shop')).toBe(1);
  });

  it('caches misses too, and invalidate(key) drops one entry at once', async () => {
    const inner = counting(['shop']);
    const dir = new CachedAppDirectory(inner, 60_000);
    await dir.findByKey('ghost');
    await dir.findByKey('ghost');
    expect(inner.calls.get('ghost')).toBe(1);
    await dir.findByKey('shop');
    dir.invalidate('shop');
    await dir.findByKey('shop');
    expect(inner.calls.get('shop')).toBe(2);
    await dir.findByKey('ghost');
    expect(inner.calls.get('ghost')).toBe(1);
  });
});
