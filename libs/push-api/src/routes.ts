import { z } from 'zod';
import * as S from './schemas.js';

/** Every push API operation, REST and gRPC alike; also its audit `action`. */
export type PushAction =
  | 'publish'
  | 'broadcast'
  | 'user.send'
  | 'user.presence'
  | 'user.disconnect'
  | 'client.send'
  | 'client.disconnect'
  | 'topics.list'
  | 'topics.subscribers'
  | 'topic.presence'
  | 'topic.presence_stats'
  | 'topic.history';

/**
 * The push API's routes in one table: the REST routes are registered from it (rest/rest-routes.ts, one
 * handler per action), the audit log names them, and the OpenAPI document is generated from it (a spec
 * checks they agree).
 *
 * `audit`: `tally` for data-plane calls (sends and reads; a success is counted into one row per app,
 * action and source per window), `each` for changes (a success is a row of its own). Refusals are always
 * written at once the first time in a window and their repeats counted (docs/api.md#audit).
 */
export interface RouteSpec {
  action: PushAction;
  audit: 'tally' | 'each';
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
    audit: 'tally',
    method: 'POST',
    path: '/v1/publish',
    summary: 'Publish to one or many topics',
    body: S.PublishBody,
    response: S.Receipt,
  },
  {
    action: 'broadcast',
    audit: 'tally',
    method: 'POST',
    path: '/v1/broadcast',
    summary: 'Send to every client of the app',
    body: S.DirectBody,
    response: S.DirectReceipt,
  },
  {
    action: 'user.send',
    audit: 'tally',
    method: 'POST',
    path: '/v1/users/:userId/send',
    summary: "Send to all of a user's connections",
    body: S.DirectBody,
    response: S.DirectReceipt,
  },
  {
    action: 'user.presence',
    audit: 'tally',
    method: 'GET',
    path: '/v1/users/:userId',
    summary: 'Is a user online, and on how many connections',
    response: S.Presence,
  },
  {
    action: 'user.disconnect',
    audit: 'each',
    method: 'POST',
    path: '/v1/users/:userId/disconnect',
    summary: "Close all of a user's connections (4010)",
    response: S.Disconnected,
  },
  {
    action: 'client.send',
    audit: 'tally',
    method: 'POST',
    path: '/v1/clients/:clientId/send',
    summary: 'Send to one connection',
    body: S.DirectBody,
    response: S.DirectReceipt,
  },
  {
    action: 'client.disconnect',
    audit: 'each',
    method: 'POST',
    path: '/v1/clients/:clientId/disconnect',
    summary: 'Close one connection (4010)',
    response: S.Disconnected,
  },
  {
    action: 'topics.list',
    audit: 'tally',
    method: 'GET',
    path: '/v1/topics',
    summary: 'Topics with subscribers, busiest first',
    query: S.TopicsQuery,
    response: S.TopicList,
  },
  {
    action: 'topics.subscribers',
    audit: 'tally',
    method: 'GET',
    path: '/v1/topics/subscribers',
    summary: 'Online count per topic (`?topic=a&topic=b` or `?topic=a,b`)',
    response: S.TopicList,
  },
  {
    action: 'topic.presence',
    audit: 'tally',
    method: 'GET',
    path: '/v1/topics/:topic/presence',
    summary: "A presence topic's members (the topic URL-encoded: /chat/world is %2Fchat%2Fworld)",
    response: S.TopicPresence,
  },
  {
    action: 'topic.presence_stats',
    audit: 'tally',
    method: 'GET',
    path: '/v1/topics/:topic/presence/stats',
    summary: "A presence topic's member count and distinct users",
    response: S.TopicPresenceStats,
  },
  {
    action: 'topic.history',
    audit: 'tally',
    method: 'GET',
    path: '/v1/topics/:topic/history',
    summary:
      "A history topic's retained messages: after ?since=<offset>&epoch=<epoch>, or the newest ?limit=",
    query: S.HistoryQuery,
    response: S.TopicHistory,
  },
];

const auditKinds = new Map(ROUTES.map((r) => [r.action, r.audit]));

/** How an action's successful calls are audited (see RouteSpec). */
export function auditKindOf(action: PushAction): 'tally' | 'each' {
  return auditKinds.get(action) ?? 'each';
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
        ...(r.body !== undefined ? { 413: problem, 415: problem } : {}),
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
