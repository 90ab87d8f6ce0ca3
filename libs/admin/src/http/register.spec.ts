import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, AdminApiError, type AdminRouteName } from '@beacon/admin-api';
import { startHarness, type AdminHarness } from '../test/harness.js';
import { adminHandlers, type AdminServices } from './handlers.js';

// The route table, the server's handlers and the typed client cannot drift: AdminHandlers (context.ts) is a
// mapped type over ADMIN_ROUTES (a missing or extra handler does not compile); this checks the same at run
// time, that every route is registered on Fastify, and that the client reaches each one.

let h: AdminHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('admin route table ⇄ handlers ⇄ Fastify ⇄ AdminClient', () => {
  it('has a handler for every route and no handler without a route', () => {
    const handlers = adminHandlers(h.served.services as AdminServices);
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(ADMIN_ROUTES).sort());
  });

  it('registers every route with its method and path', () => {
    for (const [name, r] of Object.entries(ADMIN_ROUTES))
      expect(h.fastify.hasRoute({ method: r.method, url: r.path }), name).toBe(true);
  });

  it('the typed client reaches a registered route for every JSON route (never "no route")', async () => {
    const { client } = await h.as('admin');
    const params = { key: 'nokey', topic: 't', clientId: 'c1', userId: 'u1', kid: 'k1', id: 'op1' };
    const bodies: Partial<Record<AdminRouteName, unknown>> = {
      signIn: { email: 'x@y', password: 'wrong' },
      publish: { topic: 't', data: 1 },
      createApp: { name: 'n' },
      updateApp: {},
      deleteApp: { confirm: 'x' },
      addPublicKey: { alg: 'ES256', publicKey: 'x'.repeat(40) },
      createOperator: { email: 'a@b.c', role: 'viewer' },
      updateOperator: {},
    };
    for (const [name, r] of Object.entries(ADMIN_ROUTES) as Array<
      [AdminRouteName, (typeof ADMIN_ROUTES)[AdminRouteName]]
    >) {
      if (r.kind !== 'json' || name === 'signOut') continue;
      const call = (client.call as (n: string, i: unknown) => Promise<unknown>)(name, {
        params,
        body: bodies[name],
      });
      const err = await call.then(
        () => null,
        (e: unknown) => e,
      );
      if (err === null) continue;
      expect(err, name).toBeInstanceOf(AdminApiError);
      expect((err as AdminApiError).message, name).not.toMatch(/^no route/);
    }
  });

  it('answers unknown paths and malformed input with problems', async () => {
    const { cookie } = await h.as('admin');
    const unknown = await fetch(`${h.url}/admin/v1/nothing`, { headers: { cookie } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const bad = await fetch(`${h.url}/admin/v1/apps`, {
      method: 'POST',
      headers: { cookie, origin: h.url, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'invalid_request']);
    const extra = await fetch(`${h.url}/admin/v1/apps`, {
      method: 'POST',
      headers: { cookie, origin: h.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', owner: 'me' }),
    });
    const p = (await extra.json()) as { code: string; errors: unknown[] };
    expect([extra.status, p.code, p.errors.length > 0]).toEqual([400, 'invalid_request', true]);
    const text = await fetch(`${h.url}/admin/v1/apps`, {
      method: 'POST',
      headers: { cookie, origin: h.url, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const big = await fetch(`${h.url}/admin/v1/apps`, {
      method: 'POST',
      headers: { cookie, origin: h.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(70_000) }),
    });
    expect(big.status).toBe(413);
  });
});
