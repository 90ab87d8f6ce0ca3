import { z } from 'zod';
import * as S from './schemas.js';

/**
 * The push API's routes in one table: the controller implements them, the audit log names them, and
 * the OpenAPI document is generated from them (a spec checks the three agree).
 */
export interface RouteSpec {
  action: string;
  method: 'GET' | 'POST';
  /** Express-style path (`:param`). */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response: z.ZodType;
}

export const ROUTES: readonly RouteSpec[] = [
  {
    action: 'publish',
    method: 'POST',
    path: '/v1/publish',
    summary: 'Publish to one or many topics',
    body: S.PublishBody,
    response: S.Receipt,
  },
  {
    action: 'broadcast',
    method: 'POST',
    path: '/v1/broadcast',
    summary: 'Send to every client of the app',
    body: S.DirectBody,
    response: S.DirectReceipt,
  },
  {
    action: 'user.send',
    method: 'POST',
    path: '/v1/users/:userId/send',
    summary: "Send to all of a user's connections",
    body: S.DirectBody,
    response: S.DirectReceipt,
  },
  {
    action: 'user.presence',
    method: 'GET',
    path: '/v1/users/:userId',
    summary: 'Is a user online, and on how many connections',
    response: S.Presence,
  },
  {
    action: 'user.disconnect',
    method: 'POST',
    path: '/v1/users/:userId/disconnect',
    summary: "Close all of a user's connections (4010)",
    response: S.Disconnected,
  },
  {
    action: 'client.send',
    method: 'POST',
    path: '/v1/clients/:clientId/send',
    summary: 'Send to one connection',
    body: S.DirectBody,
    response: S.DirectReceipt,
  },
  {
    action: 'client.disconnect',
    method: 'POST',
    path: '/v1/clients/:clientId/disconnect',
    summary: 'Close one connection (4010)',
    response: S.Disconnected,
  },
  {
    action: 'topics.list',
    method: 'GET',
    path: '/v1/topics',
    summary: 'Topics with subscribers, busiest first',
    query: S.TopicsQuery,
    response: S.TopicList,
  },
  {
    action: 'topics.subscribers',
    method: 'GET',
    path: '/v1/topics/subscribers',
    summary: 'Online count per topic (`?topic=a&topic=b` or `?topic=a,b`)',
    response: S.TopicList,
  },
];

const byRoute = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r.action]));

export function actionFor(method: string, routePath: string | undefined): string | undefined {
  return routePath === undefined ? undefined : byRoute.get(`${method} ${routePath}`);
}

const problem = {
  description: 'RFC 9457 problem; `code` is one of the documented push API error codes',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** OpenAPI 3.1 document of the push API, generated from ROUTES. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const oaPath = r.path.replace(/:(\w+)/g, '{$1}');
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const op: Record<string, unknown> = {
      operationId: r.action,
      summary: r.summary,
      security: [{ appSecret: [] }],
      parameters: params,
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(r.response) } } },
        400: problem,
        401: problem,
        403: problem,
        ...(r.action === 'client.send' ? { 404: problem } : {}),
        ...(r.body !== undefined ? { 413: problem } : {}),
        503: problem,
      },
    };
    if (r.body !== undefined) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(r.body) } },
      };
    }
    paths[oaPath] = { ...paths[oaPath], [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Beacon push API',
      version,
      description: 'Publish to topics, users and clients of one app.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { appSecret: { type: 'http', scheme: 'bearer', description: 'The app secret' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
          },
        },
      },
    },
    paths,
  };
}
