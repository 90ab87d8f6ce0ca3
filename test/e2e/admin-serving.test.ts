import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '@beacon/admin-api';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';

// Issue 7: the single process serves the built dashboard at /dashboard/ (SPA fallback, cache headers) and
// the admin API's OpenAPI document generated from its route table. A small stand-in build is used so the
// test does not depend on `npm run build:dashboard` having run.

let beacon: TestBeacon;
let dist: string;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'beacon-dashboard-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Beacon</title><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  beacon = await startTestBeacon({ BEACON_DASHBOARD_DIR: dist });
});
afterAll(async () => {
  await beacon.stop();
  rmSync(dist, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('is served at /dashboard/ with index.html never cached', async () => {
    expect(beacon.dashboardUrl).toBe(`${beacon.url}/dashboard/`);
    const res = await fetch(beacon.dashboardUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<div id="root">');
  });

  it('falls back to index.html for client-side routes, and redirects /dashboard', async () => {
    const deep = await fetch(`${beacon.url}/dashboard/apps/devapp/keys`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    const bare = await fetch(`${beacon.url}/dashboard`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/dashboard/']);
  });

  it('caches hashed assets for a year, other files revalidate', async () => {
    const asset = await fetch(`${beacon.url}/dashboard/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const icon = await fetch(`${beacon.url}/dashboard/favicon.svg`);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('never serves files outside the build', async () => {
    const res = await fetch(`${beacon.url}/dashboard/..%2f..%2fetc%2fpasswd`);
    expect(await res.text()).not.toContain('root:');
  });

  it('says how to build it when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'beacon-nodash-'));
    const other = await startTestBeacon({ BEACON_DASHBOARD_DIR: empty });
    try {
      expect(existsSync(join(empty, 'index.html'))).toBe(false);
      const res = await fetch(other.dashboardUrl);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:dashboard');
    } finally {
      await other.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('OpenAPI', () => {
  it('documents every admin route from the route table', async () => {
    const res = await fetch(`${beacon.url}/admin/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ops.sort()).toEqual(Object.keys(ADMIN_ROUTES).sort());
    for (const [name, r] of Object.entries(ADMIN_ROUTES)) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()]?.operationId, name).toBe(name);
    }
  });
});
