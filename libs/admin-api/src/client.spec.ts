import { describe, expect, expectTypeOf, it } from 'vitest';
import { AdminClient, routeUrl } from './client.js';
import { AdminApiError } from './errors.js';
import { ADMIN_ROUTES } from './routes.js';
import type { StatsSnapshot } from './schemas.js';

function fakeFetch(
  status: number,
  body: unknown,
  seen: Array<{ url: string; init: RequestInit }>,
): typeof fetch {
  return async (url, init) => {
    seen.push({ url: String(url), init: init ?? {} });
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' },
    });
  };
}

describe('admin route table', () => {
  it('has one route per method and path, and every mutation names its audit action', () => {
    const seen = new Set<string>();
    for (const [name, r] of Object.entries(ADMIN_ROUTES)) {
      const id = `${r.method} ${r.path}`;
      expect(seen.has(id), `${name}: ${id} twice`).toBe(false);
      seen.add(id);
      expect(r.path.startsWith('/admin/v1/')).toBe(true);
      if (r.kind === 'json' && r.method !== 'GET') expect(r, name).toHaveProperty('audit');
    }
  });
});

describe('AdminClient', () => {
  it('encodes path parameters as one segment each, and the query', () => {
    expect(routeUrl('/admin/v1/apps/:key/topics/:topic', { key: 'dev', topic: '/chat/world' })).toBe(
      '/admin/v1/apps/dev/topics/%2Fchat%2Fworld',
    );
    expect(routeUrl('/admin/v1/topics', undefined, { prefix: 'a b', limit: 5, cursor: undefined })).toBe(
      '/admin/v1/topics?prefix=a+b&limit=5',
    );
    expect(() => routeUrl('/admin/v1/apps/:key', {})).toThrow(/key/);
  });

  it('sends JSON bodies with the route method and returns the parsed answer', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const client = new AdminClient({ baseUrl: 'http://h', fetch: fakeFetch(200, { id: 'm1', ts: 5 }, seen) });
    const receipt = await client.call('publish', {
      params: { key: 'dev' },
      body: { topic: 't', data: { a: 1 } },
    });
    expect(receipt).toEqual({ id: 'm1', ts: 5 });
    expect(seen[0]).toMatchObject({ url: 'http://h/admin/v1/apps/dev/publish', init: { method: 'POST' } });
    expect(JSON.parse(String(seen[0]?.init.body))).toEqual({ topic: 't', data: { a: 1 } });
    expectTypeOf(receipt).toEqualTypeOf<{ id: string; ts: number }>();
  });

  it('returns nothing on 204 and throws the problem code on errors', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    await expect(
      new AdminClient({ fetch: fakeFetch(204, null, seen) }).call('signOut'),
    ).resolves.toBeUndefined();
    const problem = { type: 't', title: 'x', status: 403, code: 'forbidden', detail: 'viewers cannot' };
    const err = await new AdminClient({ fetch: fakeFetch(403, problem, seen) })
      .call('disableApp', { params: { key: 'dev' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ status: 403, code: 'forbidden', message: 'viewers cannot' });
  });

  // Checked by `npm run typecheck` (each @ts-expect-error fails the check if the call becomes allowed);
  // never run.
  const _compileTimeRefusals = (client: AdminClient): void => {
    // @ts-expect-error the publish route needs its :key parameter and a body
    void client.call('publish', {});
    // @ts-expect-error no such route
    void client.call('nope');
    // @ts-expect-error topics takes no body
    void client.call('topics', { body: { x: 1 } });
  };

  it('gives stream URLs and typed events', () => {
    const client = new AdminClient({ baseUrl: 'http://h' });
    expect(client.streamUrl('topicTail', { params: { key: 'dev', topic: 'a.b' } })).toBe(
      'http://h/admin/v1/apps/dev/topics/a.b/tail',
    );
    expectTypeOf<
      import('./client.js').StreamEvents<'statsStream'>['snapshot']
    >().toEqualTypeOf<StatsSnapshot>();
  });

  it('filters the live audit stream like the list', () => {
    const client = new AdminClient();
    expect(client.streamUrl('auditStream', { query: { app: 'dev', result: 'refused' } })).toBe(
      '/admin/v1/audit/stream?app=dev&result=refused',
    );
    expect(ADMIN_ROUTES.auditStream.query.safeParse({ from: '2026-01-01T00:00:00Z' }).success).toBe(false);
  });
});
