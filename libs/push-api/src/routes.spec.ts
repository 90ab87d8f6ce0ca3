import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { PushApiErrors } from './push-api.exception.js';
import { registerRestRoutes } from './rest/rest-routes.js';
import { openApiDocument, ROUTES } from './routes.js';

const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

describe('the push API contract', () => {
  it('the REST routes registered on Fastify are exactly the route table', async () => {
    const fastify = Fastify();
    const unused = () => {
      throw new Error('not called');
    };
    await registerRestRoutes(fastify, {
      router: new Proxy({}, { get: () => unused }) as never,
      auth: { authenticateSecret: unused },
      audit: { record: unused, tally: unused, refusal: unused },
      options: { maxMessageBytes: 1024 },
      logError: unused,
      timing: { observe: unused },
    });
    await fastify.ready();
    for (const r of ROUTES) expect(fastify.hasRoute({ method: r.method, url: r.path }), r.path).toBe(true);
    const registered = fastify
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((l) => /\((GET|POST|PUT|PATCH|DELETE)/.test(l));
    expect(registered).toHaveLength(ROUTES.length);
    await fastify.close();
  });

  it('the OpenAPI document has every route, and docs/api.md every route and error code', () => {
    const doc3 = openApiDocument('test') as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    for (const r of ROUTES) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc3.paths[path]?.[r.method.toLowerCase()]?.operationId).toBe(r.action);
      expect(doc, r.path).toContain(`\`${path.split('?')[0]}`);
    }
    for (const code of Object.keys(PushApiErrors)) expect(doc, code).toContain(`| \`${code}\` |`);
  });
});
