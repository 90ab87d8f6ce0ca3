import type { AppStatsRow, StatsSnapshot } from '@beacon/admin-api';
import { isValidTopic } from '@beacon/protocol';
import { appPolicy, type Router } from '@beacon/routing';
import { AdminException } from '../admin.exception.js';
import type { AdminSettings } from '../admin.options.js';
import type { AppIndex } from '../app-index.js';
import type { AuditFeed } from '../audit-feed.js';
import type { ConnectionDirectory, LiveStats, TopicDirectory, TopicSummary } from '../ports.js';
import type { OperatorSessions } from '../sessions.js';
import type { AdminStore } from '../store.js';
import type { AdminUseCases } from '../use-cases.js';
import { appView, auditView, operatorView, pushSecretView, tokenKeyView } from '../views.js';
import { sessionCookie } from './cookies.js';
import type { AdminHandlers, CallContext } from './context.js';
import { TailValve } from './tail-valve.js';

export interface AdminServices {
  store: AdminStore;
  useCases: AdminUseCases;
  sessions: OperatorSessions;
  auditFeed: AuditFeed;
  apps: AppIndex;
  router: Router;
  liveStats: LiveStats;
  topics: TopicDirectory;
  connections: ConnectionDirectory;
  settings: AdminSettings;
  /** The newest statistics snapshot, for the apps' connection counts. */
  latest(): StatsSnapshot | null;
  maxTopicLength: number;
}

/** Offsets as opaque cursors (topic rankings move live, so pages are ranks, not keys). */
const offsetOf = (cursor: string | undefined): number => {
  if (cursor === undefined) return 0;
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw new AdminException('invalid_request', 'bad cursor');
  return n;
};
const cursorOf = (n: number): string => Buffer.from(String(n)).toString('base64url');

const auditCursorOf = (r: { ts: Date; id: string }): string =>
  Buffer.from(JSON.stringify([r.ts.getTime(), r.id])).toString('base64url');
function auditCursor(c: string | undefined): { ts: Date; id: string } | undefined {
  if (c === undefined) return undefined;
  try {
    const [ts, id] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof ts === 'number' && typeof id === 'string' && id.length <= 64) return { ts: new Date(ts), id };
  } catch {
    // fall through
  }
  throw new AdminException('invalid_request', 'bad cursor');
}

function isoDate(s: string | undefined, name: string): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()))
    throw new AdminException('invalid_request', `${name} is not an ISO-8601 time`);
  return d;
}

/** A viewer's cut of a tailed payload. */
const TAIL_MAX_CHARS = 4096;

/** Every admin route's handler (context.ts types them by ADMIN_ROUTES). */
export function adminHandlers(s: AdminServices): AdminHandlers {
  const connectionsOf = (appId: string): number | null => {
    const rows: AppStatsRow[] = s.latest()?.apps ?? [];
    return rows.find((r) => r.appId === appId)?.connections ?? null;
  };
  const view = (app: Parameters<typeof appView>[0]) => appView(app, connectionsOf(app.id));
  /** A use case audits the call itself (success and failure); the HTTP layer must not add a second record. */
  const byUseCase = (ctx: CallContext, target: string | null): void => {
    ctx.audit.done = true;
    ctx.audit.target = target;
  };
  const changed = <T>(r: T): T => {
    s.apps.invalidate();
    return r;
  };
  const topicRow = async (t: TopicSummary) => ({
    appId: t.appId,
    appKey: await s.apps.keyOf(t.appId),
    topic: t.topic,
    subscribers: t.subscribers,
    messagesPerSec: t.messagesPerSec,
  });

  return {
    // ---- session ----
    async signIn(ctx) {
      ctx.audit.target = ctx.body.email;
      const { token, signedIn } = await s.sessions.signIn(ctx.body.email, ctx.body.password, {
        remoteAddr: ctx.remoteAddr,
        userAgent: ctx.userAgent,
      });
      ctx.signedIn = signedIn;
      ctx.header(
        'set-cookie',
        sessionCookie(token, { maxAgeSec: s.settings.sessionMaxMs / 1000, secure: secureCookie(s, ctx) }),
      );
      return signedIn.session;
    },
    async session(ctx) {
      return (ctx.signedIn as NonNullable<typeof ctx.signedIn>).session;
    },
    async signOut(ctx) {
      await s.sessions.signOut((ctx.signedIn as NonNullable<typeof ctx.signedIn>).sessionId);
      ctx.header('set-cookie', sessionCookie('', { maxAgeSec: 0, secure: secureCookie(s, ctx) }));
      return undefined;
    },

    // ---- statistics ----
    async statsStream() {
      return (stream) => {
        stream.send('history', s.liveStats.history());
        const latest = s.latest();
        if (latest !== null) stream.send('snapshot', latest);
        stream.onClose(s.liveStats.subscribe((snap) => stream.send('snapshot', snap)));
      };
    },

    // ---- topics ----
    async topics(ctx) {
      const q = ctx.query;
      const appId = await s.apps.idFilter(q.app);
      if (appId === null) return { items: [], nextCursor: null, total: 0 };
      const offset = offsetOf(q.cursor);
      const page = await s.topics.list({
        ...(appId !== undefined && { appId }),
        ...(q.prefix !== undefined && { prefix: q.prefix }),
        sort: q.sort,
        offset,
        limit: q.limit,
      });
      const items = await Promise.all(page.items.slice(0, q.limit).map(topicRow));
      const more = page.total === null ? items.length === q.limit : offset + items.length < page.total;
      return { items, nextCursor: more ? cursorOf(offset + items.length) : null, total: page.total };
    },
    async topic(ctx) {
      const app = await s.apps.byKey(ctx.params['key'] ?? '');
      const topic = ctx.params['topic'] ?? '';
      const d = await s.topics.detail(app.id, topic);
      if (d === null)
        throw new AdminException('not_found', `no topic ${JSON.stringify(topic)} in ${app.key}`);
      return { ...(await topicRow(d)), appKey: app.key, nodes: d.nodes };
    },
    async topicTail(ctx) {
      const app = await s.apps.byKey(ctx.params['key'] ?? '');
      const topic = ctx.params['topic'] ?? '';
      return (stream) => {
        const valve = new TailValve(
          s.settings.tailRatePerSec,
          (m) => {
            const json = m.dataJson;
            stream.send('message', {
              id: m.id,
              ts: m.ts,
              dataJson: json.length > TAIL_MAX_CHARS ? json.slice(0, TAIL_MAX_CHARS) : json,
              truncated: json.length > TAIL_MAX_CHARS,
            });
          },
          (dropped) => stream.send('dropped', { dropped }),
        );
        stream.onClose(s.topics.tail(app.id, topic, (m) => valve.offer(m)));
        stream.onClose(() => valve.stop());
      };
    },
    async publish(ctx) {
      const app = await s.apps.byKey(ctx.params['key'] ?? '');
      ctx.audit.appId = app.id;
      ctx.audit.target = ctx.body.topic;
      if (!app.enabled) throw new AdminException('conflict', `app ${app.key} is disabled`);
      if (!isValidTopic(ctx.body.topic, s.maxTopicLength))
        throw new AdminException('invalid_request', 'not a valid topic name', {
          errors: [{ path: 'topic', message: 'not a valid topic name' }],
        });
      // a topic with a history rule keeps the message, as a push API publish would
      const rule = appPolicy(app.settings).history(ctx.body.topic);
      const receipt = await s.router.publish(
        app.id,
        [ctx.body.topic],
        JSON.stringify(ctx.body.data),
        rule === null ? undefined : { history: [rule] },
      );
      return { id: receipt.id, ts: receipt.ts };
    },

    // ---- connections ----
    async connections(ctx) {
      const q = ctx.query;
      const appId = await s.apps.idFilter(q.app);
      if (appId === null) return { items: [], nextCursor: null, total: 0 };
      const page = await s.connections.find({
        ...(appId !== undefined && { appId }),
        ...(q.user !== undefined && { userId: q.user }),
        ...(q.client !== undefined && { clientId: q.client }),
        ...(q.topic !== undefined && { topic: q.topic }),
        ...(q.cursor !== undefined && { cursor: q.cursor }),
        limit: q.limit,
      });
      const items = await Promise.all(
        page.items.slice(0, q.limit).map(async (c) => ({
          clientId: c.clientId,
          appId: c.appId,
          appKey: await s.apps.keyOf(c.appId),
          userId: c.userId,
          nodeId: c.nodeId,
          connectedAt: c.connectedAt,
          remoteAddress: c.remoteAddress,
          topics: c.topics,
        })),
      );
      return { items, nextCursor: page.nextCursor, total: page.total };
    },
    async connection(ctx) {
      const clientId = ctx.params['clientId'] ?? '';
      const c = await s.connections.get(clientId);
      if (c === null) throw new AdminException('not_found', `no open connection ${JSON.stringify(clientId)}`);
      return { ...c, appKey: await s.apps.keyOf(c.appId) };
    },
    async disconnectClient(ctx) {
      const clientId = ctx.params['clientId'] ?? '';
      ctx.audit.target = clientId;
      const c = await s.connections.get(clientId);
      if (c === null) throw new AdminException('not_found', `no open connection ${JSON.stringify(clientId)}`);
      ctx.audit.appId = c.appId;
      return { disconnected: await s.router.disconnect(c.appId, { clientId }) };
    },
    async disconnectUser(ctx) {
      const app = await s.apps.byKey(ctx.params['key'] ?? '');
      const userId = ctx.params['userId'] ?? '';
      ctx.audit.appId = app.id;
      ctx.audit.target = userId;
      return { disconnected: await s.router.disconnect(app.id, { userId }) };
    },

    // ---- apps and keys ----
    async apps() {
      return { items: (await s.store.apps.list()).map(view) };
    },
    async app(ctx) {
      return view(await s.apps.byKey(ctx.params['key'] ?? ''));
    },
    async createApp(ctx) {
      byUseCase(ctx, ctx.body.key ?? ctx.body.name);
      const r = changed(await s.useCases.createApp(ctx.actor, ctx.body));
      return {
        app: view(r.app),
        secret: { kid: r.secretKid, secret: r.secret },
        tokenKey: { kid: r.tokenKey.kid, secret: r.tokenKey.secret },
      };
    },
    async updateApp(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      return view(changed(await s.useCases.updateApp(ctx.actor, key, ctx.body)));
    },
    async rotateSecret(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      const r = await s.useCases.rotateSecret(ctx.actor, key);
      return { app: view(r.app), secret: { kid: r.secretKid, secret: r.secret } };
    },
    async rotateTokenKey(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      const r = await s.useCases.rotateTokenKey(ctx.actor, key);
      return { app: view(r.app), secret: { kid: r.tokenKey.kid, secret: r.tokenKey.secret } };
    },
    async disableApp(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      return view(changed(await s.useCases.setEnabled(ctx.actor, key, false)));
    },
    async enableApp(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      return view(changed(await s.useCases.setEnabled(ctx.actor, key, true)));
    },
    async deleteApp(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      changed(await s.useCases.deleteApp(ctx.actor, key, ctx.body.confirm));
      return undefined;
    },
    async appKeys(ctx) {
      const key = ctx.params['key'] ?? '';
      const [secrets, tokenKeys] = await Promise.all([
        s.store.apps.listSecrets(key),
        s.store.apps.listTokenKeys(key, { includeRevoked: true }),
      ]);
      const items = [...secrets.map(pushSecretView), ...tokenKeys.map(tokenKeyView)];
      items.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      return { items };
    },
    async addPublicKey(ctx) {
      const key = ctx.params['key'] ?? '';
      byUseCase(ctx, key);
      const r = await s.useCases.addPublicKey(ctx.actor, key, ctx.body);
      return tokenKeyView(r.key);
    },
    async revokeKey(ctx) {
      const key = ctx.params['key'] ?? '';
      const kid = ctx.params['kid'] ?? '';
      byUseCase(ctx, `${key}/${kid}`);
      await s.useCases.revokeKey(ctx.actor, key, kid);
      return undefined;
    },

    // ---- audit ----
    async audit(ctx) {
      const q = ctx.query;
      const appId = await s.apps.idFilter(q.app);
      if (appId === null) return { items: [], nextCursor: null };
      const from = isoDate(q.from, 'from');
      const to = isoDate(q.to, 'to');
      const cursor = auditCursor(q.cursor);
      const rows = await s.store.audit.query({
        ...(appId !== undefined && { appId }),
        ...(q.actor !== undefined && { actor: q.actor }),
        ...(q.action !== undefined && { action: q.action }),
        ...(q.result !== undefined && { result: q.result }),
        ...(from !== undefined && { from }),
        ...(to !== undefined && { to }),
        ...(cursor !== undefined && { cursor }),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(auditView),
        nextCursor: rows.length > q.limit && last !== undefined ? auditCursorOf(last) : null,
      };
    },
    async auditStream(ctx) {
      const q = ctx.query;
      const appId = await s.apps.idFilter(q.app);
      const filter = {
        ...(appId !== undefined && { appId: appId ?? '\u0000none' }),
        ...(q.actor !== undefined && { actor: q.actor }),
        ...(q.action !== undefined && { action: q.action }),
        ...(q.result !== undefined && { result: q.result }),
      };
      return (stream) => {
        let stop: (() => void) | undefined;
        let closed = false;
        stream.onClose(() => {
          closed = true;
          stop?.();
        });
        void s.auditFeed
          .subscribe(filter, (r) => stream.send('record', auditView(r)))
          .then(
            (unsubscribe) => {
              if (closed) unsubscribe();
              else stop = unsubscribe;
            },
            () => stream.close(),
          );
      };
    },

    // ---- operators ----
    async operators() {
      return { items: (await s.store.operators.list()).map(operatorView) };
    },
    async createOperator(ctx) {
      byUseCase(ctx, ctx.body.email);
      const r = await s.useCases.createOperator(ctx.actor, ctx.body);
      return {
        operator: operatorView(r.operator),
        ...(r.password !== undefined && { password: r.password }),
      };
    },
    async updateOperator(ctx) {
      const id = ctx.params['id'] ?? '';
      byUseCase(ctx, id);
      return operatorView(await s.useCases.updateOperator(ctx.actor, id, ctx.body));
    },
  };
}

function secureCookie(s: AdminServices, ctx: CallContext): boolean {
  const mode = s.settings.cookieSecure;
  return mode === 'always' || (mode === 'auto' && ctx.https);
}
