/**
 * The admin API in one table: the server registers exactly these routes (with these schemas, roles and
 * audit actions), the OpenAPI document is generated from it, and the dashboard's client is typed by it.
 *
 * `role`: `public` needs no session (sign-in only); `viewer` needs any signed-in operator; `admin` needs an
 * admin (a viewer gets 403 `forbidden`). Every route except `public` ones and streams refuses a foreign
 * `Origin` on mutations. `audit` names the audit action written for the call (mutations and sign-in).
 * Streams (`kind: 'sse'`) are `text/event-stream`; `events` lists each event name's data schema.
 */
import type { z } from 'zod';
import * as S from './schemas.js';

export type Role = 'public' | 'viewer' | 'admin';
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface JsonRoute {
  kind: 'json';
  method: Method;
  path: string;
  role: Role;
  summary: string;
  audit?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** null: 204 No Content. */
  response: z.ZodType | null;
}

export interface StreamRoute {
  kind: 'sse';
  method: 'GET';
  path: string;
  role: Role;
  summary: string;
  query?: z.ZodType;
  events: Record<string, z.ZodType>;
}

export type AdminRoute = JsonRoute | StreamRoute;

const json = <const R extends Omit<JsonRoute, 'kind'>>(r: R): R & { kind: 'json' } => ({
  kind: 'json',
  ...r,
});
const sse = <const R extends Omit<StreamRoute, 'kind' | 'method'>>(
  r: R,
): R & { kind: 'sse'; method: 'GET' } => ({
  kind: 'sse',
  method: 'GET',
  ...r,
});

export const ADMIN_PREFIX = '/admin/v1';

export const ADMIN_ROUTES = {
  // session
  signIn: json({
    method: 'POST',
    path: '/admin/v1/session',
    role: 'public',
    summary: 'Sign in; sets the session cookie',
    audit: 'operator.sign_in',
    body: S.SignInBody,
    response: S.Session,
  }),
  session: json({
    method: 'GET',
    path: '/admin/v1/session',
    role: 'viewer',
    summary: 'The current session',
    response: S.Session,
  }),
  signOut: json({
    method: 'DELETE',
    path: '/admin/v1/session',
    role: 'viewer',
    summary: 'Sign out; the session is revoked on the server',
    audit: 'operator.sign_out',
    response: null,
  }),

  // statistics
  statsStream: sse({
    path: '/admin/v1/stats/stream',
    role: 'viewer',
    summary: 'Live statistics: `history` once, then a `snapshot` about every second',
    events: { history: S.StatsHistory, snapshot: S.StatsSnapshot },
  }),

  // topics
  topics: json({
    method: 'GET',
    path: '/admin/v1/topics',
    role: 'viewer',
    summary: 'Topics across apps, busiest first, paged on the server',
    query: S.TopicsQuery,
    response: S.TopicPage,
  }),
  topic: json({
    method: 'GET',
    path: '/admin/v1/apps/:key/topics/:topic',
    role: 'viewer',
    summary: 'One topic (URL-encoded) of an app, with its subscribers per node',
    response: S.TopicDetail,
  }),
  topicTail: sse({
    path: '/admin/v1/apps/:key/topics/:topic/tail',
    role: 'viewer',
    summary: "A live, rate-bounded tail of a topic's messages",
    events: { message: S.TailMessage, dropped: S.TailDropped },
  }),
  publish: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/publish',
    role: 'admin',
    summary: 'Publish to a topic of the app',
    audit: 'publish',
    body: S.PublishBody,
    response: S.PublishReceipt,
  }),

  // connections
  connections: json({
    method: 'GET',
    path: '/admin/v1/connections',
    role: 'viewer',
    summary: 'Find connections by app, user id, client id or topic, paged on the server',
    query: S.ConnectionsQuery,
    response: S.ConnectionPage,
  }),
  connection: json({
    method: 'GET',
    path: '/admin/v1/connections/:clientId',
    role: 'viewer',
    summary: 'One connection',
    response: S.ConnectionDetail,
  }),
  disconnectClient: json({
    method: 'POST',
    path: '/admin/v1/connections/:clientId/disconnect',
    role: 'admin',
    summary: 'Close one connection (4010)',
    audit: 'client.disconnect',
    response: S.Disconnected,
  }),
  disconnectUser: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/users/:userId/disconnect',
    role: 'admin',
    summary: "Close all of a user's connections (4010)",
    audit: 'user.disconnect',
    response: S.Disconnected,
  }),

  // apps and keys
  apps: json({
    method: 'GET',
    path: '/admin/v1/apps',
    role: 'viewer',
    summary: 'Every app',
    response: S.AppList,
  }),
  app: json({
    method: 'GET',
    path: '/admin/v1/apps/:key',
    role: 'viewer',
    summary: 'One app',
    response: S.App,
  }),
  createApp: json({
    method: 'POST',
    path: '/admin/v1/apps',
    role: 'admin',
    summary: 'Create an app; its push secret and token key are shown this once',
    audit: 'app.create',
    body: S.CreateAppBody,
    response: S.CreatedApp,
  }),
  updateApp: json({
    method: 'PATCH',
    path: '/admin/v1/apps/:key',
    role: 'admin',
    summary: "Change an app's name or settings",
    audit: 'app.update',
    body: S.UpdateAppBody,
    response: S.App,
  }),
  rotateSecret: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/rotate',
    role: 'admin',
    summary: 'Issue a new push secret; the old one stops working at once',
    audit: 'app.rotate',
    response: S.Rotated,
  }),
  rotateTokenKey: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/rotate-token-key',
    role: 'admin',
    summary: 'Issue a new HS256 token key; connections with tokens of the old one are closed',
    audit: 'app.rotate_token_key',
    response: S.Rotated,
  }),
  disableApp: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/disable',
    role: 'admin',
    summary: 'Disable an app; its clients are closed with 4003',
    audit: 'app.disable',
    response: S.App,
  }),
  enableApp: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/enable',
    role: 'admin',
    summary: 'Enable an app',
    audit: 'app.enable',
    response: S.App,
  }),
  deleteApp: json({
    method: 'DELETE',
    path: '/admin/v1/apps/:key',
    role: 'admin',
    summary: 'Delete an app (body `{"confirm":"<key>"}`); its clients are closed with 4003',
    audit: 'app.delete',
    body: S.DeleteAppBody,
    response: null,
  }),
  appKeys: json({
    method: 'GET',
    path: '/admin/v1/apps/:key/keys',
    role: 'viewer',
    summary: "An app's push secrets and token keys (never the secrets themselves)",
    response: S.AppKeyList,
  }),
  addPublicKey: json({
    method: 'POST',
    path: '/admin/v1/apps/:key/keys',
    role: 'admin',
    summary: 'Register a public key for client tokens (ES256, EdDSA, RS256)',
    audit: 'app.add_public_key',
    body: S.AddPublicKeyBody,
    response: S.AppKey,
  }),
  revokeKey: json({
    method: 'DELETE',
    path: '/admin/v1/apps/:key/keys/:kid',
    role: 'admin',
    summary: 'Revoke a key; connections whose token it signed are closed',
    audit: 'app.revoke_key',
    response: null,
  }),

  // audit
  audit: json({
    method: 'GET',
    path: '/admin/v1/audit',
    role: 'viewer',
    summary: 'Audit records, newest first, cursor-paged',
    query: S.AuditQuery,
    response: S.AuditPage,
  }),
  auditStream: sse({
    path: '/admin/v1/audit/stream',
    role: 'viewer',
    summary: 'New audit records as they are written (event `record`), filtered like the list',
    query: S.AuditStreamQuery,
    events: { record: S.AuditRecord },
  }),

  // operators
  operators: json({
    method: 'GET',
    path: '/admin/v1/operators',
    role: 'admin',
    summary: 'Every operator',
    response: S.OperatorList,
  }),
  createOperator: json({
    method: 'POST',
    path: '/admin/v1/operators',
    role: 'admin',
    summary: 'Create an operator (a generated password is shown once)',
    audit: 'operator.create',
    body: S.CreateOperatorBody,
    response: S.CreatedOperator,
  }),
  updateOperator: json({
    method: 'PATCH',
    path: '/admin/v1/operators/:id',
    role: 'admin',
    summary: "Change an operator's role or disable it (never the last enabled admin)",
    audit: 'operator.update',
    body: S.UpdateOperatorBody,
    response: S.Operator,
  }),
} as const satisfies Record<string, AdminRoute>;

export type AdminRoutes = typeof ADMIN_ROUTES;
export type AdminRouteName = keyof AdminRoutes;
