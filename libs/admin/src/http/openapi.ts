import { ADMIN_ROUTES, AdminErrors, type AdminRoute } from '@beacon/admin-api';
import { z } from 'zod';

const schema = (s: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** OpenAPI 3.1 document of the admin API, generated from ADMIN_ROUTES (served at /admin/v1/openapi.json). */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(ADMIN_ROUTES) as Array<[string, AdminRoute]>) {
    const oaPath = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: Array<Record<string, unknown>> = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description: 'URL-encoded (one segment)',
    }));
    const query = 'query' in r ? r.query : undefined;
    if (query !== undefined) {
      const q = schema(query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [qn, qs] of Object.entries(q.properties ?? {}))
        parameters.push({ name: qn, in: 'query', required: q.required?.includes(qn) ?? false, schema: qs });
    }
    const responses: Record<string, unknown> = {};
    if (r.kind === 'sse') {
      responses['200'] = {
        description: `text/event-stream; events: ${Object.keys(r.events).join(', ')}`,
        content: {
          'text/event-stream': {
            schema: {
              oneOf: Object.entries(r.events).map(([event, s]) => ({
                title: event,
                ...schema(s),
              })),
            },
          },
        },
      };
    } else if (r.response === null) responses['204'] = { description: 'No Content' };
    else
      responses['200'] = {
        description: 'OK',
        content: { 'application/json': { schema: schema(r.response) } },
      };
    responses['400'] = problem('invalid_request');
    if (r.role !== 'public') responses['401'] = problem('unauthenticated');
    if (r.method !== 'GET' || r.role === 'admin') responses['403'] = problem('forbidden, foreign_origin');
    if (r.path.includes(':')) responses['404'] = problem('not_found');
    if (name === 'signIn') responses['429'] = problem('rate_limited (Retry-After)');
    const op: Record<string, unknown> = {
      operationId: name,
      summary: r.summary,
      'x-beacon-role': r.role,
      ...('audit' in r && r.audit !== undefined && { 'x-beacon-audit': r.audit }),
      security: r.role === 'public' ? [] : [{ session: [] }],
      parameters,
      responses,
    };
    if (r.kind === 'json' && r.body !== undefined)
      op['requestBody'] = { required: true, content: { 'application/json': { schema: schema(r.body) } } };
    paths[oaPath] = { ...paths[oaPath], [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Beacon admin API',
      version,
      description:
        'The operators’ API behind the dashboard: sign-in, live statistics, topics, connections, apps and keys, audit, operators.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'beacon_session',
          description: 'Set by POST /admin/v1/session',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', enum: Object.keys(AdminErrors) },
            detail: { type: 'string' },
            retryAfter: { type: 'integer' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
