/**
 * Wire shapes of the admin API (`/admin/v1`). The server validates requests with these schemas and the
 * dashboard's types are inferred from them, so the two cannot drift. Times are ISO-8601 strings in
 * records and epoch milliseconds in statistics (compact, chart-ready).
 */
import { z } from 'zod';

const iso = z.string().describe('ISO-8601 time');
const count = z.number().int().min(0);
const rate = z.number().min(0).describe('per second, averaged over the last sample interval');

// ---- operators and sessions ----

export const OperatorRole = z.enum(['admin', 'viewer']);

export const Operator = z.object({
  id: z.string(),
  email: z.string(),
  role: OperatorRole,
  disabled: z.boolean(),
  createdAt: iso,
  lastSignInAt: iso.nullable(),
});

export const SignInBody = z
  .object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) })
  .strict();

export const Session = z.object({
  operator: Operator,
  /** Absolute expiry: the session ends then whatever the activity. */
  expiresAt: iso,
  /** Idle expiry: moves forward with every request. */
  idleExpiresAt: iso,
});

export const CreateOperatorBody = z
  .object({
    email: z.string().min(3).max(254),
    role: OperatorRole,
    /** Omitted: a password is generated and returned once. */
    password: z.string().min(12).max(1024).optional(),
  })
  .strict();

export const CreatedOperator = z.object({ operator: Operator, password: z.string().optional() });

export const UpdateOperatorBody = z
  .object({ role: OperatorRole.optional(), disabled: z.boolean().optional() })
  .strict();

export const OperatorList = z.object({ items: z.array(Operator) });

// ---- apps and keys ----

/** Per-app settings. `null` limit overrides mean "the process-wide default" (docs/configuration.md). */
export const AppSettings = z.object({
  allowAnonymous: z.boolean(),
  clientPublish: z.boolean(),
  maxConnections: count,
  publishRate: z.number().int().min(1).nullable(),
  publishBurst: z.number().int().min(1).nullable(),
  maxTopicsPerConnection: z.number().int().min(1).nullable(),
  maxMessageBytes: z.number().int().min(16).nullable(),
  maxTokenLifetimeSec: z.number().int().min(1).nullable(),
});

export const AppSettingsPatch = AppSettings.partial().strict();

export const App = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  settings: AppSettings,
  createdAt: iso,
  /** Open connections across the platform, when known. */
  connections: count.nullable(),
});

export const AppList = z.object({ items: z.array(App) });

export const KeyKind = z.enum(['push_secret', 'token_hmac', 'token_public']);

/** A credential of an app, never its secret: push API secrets and client-token keys. */
export const AppKey = z.object({
  kid: z.string(),
  kind: KeyKind,
  /** JWS algorithm for token keys (HS256, ES256, EdDSA, RS256); null for push secrets. */
  alg: z.string().nullable(),
  createdAt: iso,
  revokedAt: iso.nullable(),
});

export const AppKeyList = z.object({ items: z.array(AppKey) });

export const CreateAppBody = z
  .object({
    name: z.string().min(1).max(200),
    key: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/)
      .optional(),
    settings: AppSettingsPatch.optional(),
  })
  .strict();

export const UpdateAppBody = z
  .object({ name: z.string().min(1).max(200).optional(), settings: AppSettingsPatch.optional() })
  .strict();

/** What a create or a rotation reveals, exactly once. */
export const RevealedSecret = z.object({ kid: z.string(), secret: z.string() });

export const CreatedApp = z.object({
  app: App,
  /** The push API secret (`Authorization: Bearer ...`). */
  secret: RevealedSecret,
  /** The HS256 key for signing client tokens. */
  tokenKey: RevealedSecret,
});

export const Rotated = z.object({ app: App, secret: RevealedSecret });

export const AddPublicKeyBody = z
  .object({
    kid: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .optional(),
    alg: z.enum(['ES256', 'EdDSA', 'RS256']),
    /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
    publicKey: z.string().min(32).max(16_384),
  })
  .strict();

export const DeleteAppBody = z.object({ confirm: z.string() }).strict();

export const PublishBody = z.object({ topic: z.string().min(1).max(1024), data: z.json() }).strict();
export const PublishReceipt = z.object({ id: z.string(), ts: z.number() });

// ---- topics ----

export const TopicRow = z.object({
  appId: z.string(),
  appKey: z.string(),
  topic: z.string(),
  subscribers: count,
  messagesPerSec: rate,
});

export const TopicsQuery = z
  .object({
    /** An app's key. */
    app: z.string().max(64).optional(),
    prefix: z.string().max(1024).optional(),
    sort: z.enum(['subscribers', 'rate']).default('subscribers'),
    cursor: z.string().max(256).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const TopicPage = z.object({
  items: z.array(TopicRow),
  nextCursor: z.string().nullable(),
  /** Topics matching the filter (app, prefix); null only from a directory that cannot count them. */
  total: count.nullable(),
});

export const TopicDetail = TopicRow.extend({
  nodes: z.array(z.object({ nodeId: z.string(), subscribers: count })),
});

/** One event of a topic's live tail (server-sent events, event name `message`). */
export const TailMessage = z.object({
  id: z.string(),
  ts: z.number(),
  /** The payload's JSON text, cut to a few KiB for the viewer. */
  dataJson: z.string(),
  truncated: z.boolean(),
});

/** Event `dropped`: messages the tail skipped to stay within its rate for this viewer. */
export const TailDropped = z.object({ dropped: count });

// ---- connections ----

export const ConnectionRow = z.object({
  clientId: z.string(),
  appId: z.string(),
  appKey: z.string(),
  userId: z.string().nullable(),
  nodeId: z.string(),
  connectedAt: z.number(),
  remoteAddress: z.string(),
  topics: count,
});

export const ConnectionsQuery = z
  .object({
    /** An app's key. */
    app: z.string().max(64).optional(),
    user: z.string().max(200).optional(),
    client: z.string().max(100).optional(),
    topic: z.string().max(1024).optional(),
    cursor: z.string().max(256).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const ConnectionPage = z.object({
  items: z.array(ConnectionRow),
  nextCursor: z.string().nullable(),
  /** Connections matching the filter, when cheap to know (null otherwise). */
  total: count.nullable(),
});

export const ConnectionDetail = ConnectionRow.extend({
  topicList: z.array(z.string()),
  userAgent: z.string().nullable(),
  /** The token's `info` claim, when it has one. */
  info: z.record(z.string(), z.unknown()).nullable(),
  messagesIn: count,
  messagesOut: count,
  bytesIn: count,
  bytesOut: count,
});

export const Disconnected = z.object({ disconnected: count });

// ---- audit ----

export const AuditRecord = z.object({
  id: z.string(),
  ts: iso,
  actor: z.string(),
  appId: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.string(),
  remoteAddr: z.string().nullable(),
  /** How many identical events this row stands for (aggregated data-plane calls and refusals). */
  count: z.number().int().min(1),
  detail: z.unknown().nullable(),
});

export const AuditQuery = z
  .object({
    /** Exact actor: `operator:<email>`, `app:<key>`, `cli:<user>`, `unauthenticated`. */
    actor: z.string().max(300).optional(),
    /** An app's key. */
    app: z.string().max(64).optional(),
    /** Exact action, e.g. `app.rotate`. */
    action: z.string().max(100).optional(),
    /** `ok`, `refused`, or an exact result such as `200` or `401 invalid_key`. */
    result: z.string().max(100).optional(),
    from: iso.optional(),
    to: iso.optional(),
    cursor: z.string().max(256).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

/** The live audit stream takes the list's filters (no time range or cursor: it sends what is written from now on). */
export const AuditStreamQuery = AuditQuery.pick({
  actor: true,
  app: true,
  action: true,
  result: true,
}).strict();

export const AuditPage = z.object({ items: z.array(AuditRecord), nextCursor: z.string().nullable() });

// ---- statistics ----

export const NodeKind = z.enum(['single', 'topic-service', 'gateway', 'push-api']);

export const NodeRow = z.object({
  id: z.string(),
  kind: NodeKind,
  address: z.string(),
  status: z.enum(['up', 'degraded', 'down']),
  startedAt: z.number(),
  connections: count,
  subscriptions: count,
  topics: count,
  rssBytes: count,
  heapUsedBytes: count,
  /** p99 event-loop delay over the last interval, ms. */
  eventLoopP99Ms: z.number().min(0),
  deliveriesPerSec: rate,
  publishesPerSec: rate,
  bytesOutPerSec: rate,
});

export const AppStatsRow = z.object({
  appId: z.string(),
  appKey: z.string(),
  connections: count,
  subscriptions: count,
  topics: count,
  publishesPerSec: rate,
  deliveriesPerSec: rate,
});

export const Totals = z.object({
  nodes: count,
  connections: count,
  subscriptions: count,
  topics: count,
  deliveriesPerSec: rate,
  publishesPerSec: rate,
  bytesOutPerSec: rate,
});

/**
 * One sample of the whole platform, about once a second. Bounded: its size does not grow with the number
 * of connections or topics (apps and topics are top-N lists).
 */
export const StatsSnapshot = z.object({
  ts: z.number(),
  totals: Totals,
  nodes: z.array(NodeRow),
  apps: z.array(AppStatsRow),
  /** Apps not in `apps` (the list is the busiest N). */
  appsOmitted: count,
  topTopics: z.object({ bySubscribers: z.array(TopicRow), byRate: z.array(TopicRow) }),
  /** Connections closed per second in the last interval, by close code (`"4008"`), and refusals by reason. */
  closesPerSec: z.record(z.string(), rate),
});

/** The server's ring of recent samples (about 15 minutes), column-wise, oldest first. */
export const StatsHistory = z.object({
  intervalMs: z.number().int().min(1),
  ts: z.array(z.number()),
  deliveriesPerSec: z.array(z.number()),
  publishesPerSec: z.array(z.number()),
  connections: z.array(z.number()),
  bytesOutPerSec: z.array(z.number()),
  closesPerSec: z.record(z.string(), z.array(z.number())),
});

export type OperatorRole = z.infer<typeof OperatorRole>;
export type Operator = z.infer<typeof Operator>;
export type Session = z.infer<typeof Session>;
export type AppSettings = z.infer<typeof AppSettings>;
export type App = z.infer<typeof App>;
export type AppKey = z.infer<typeof AppKey>;
export type CreatedApp = z.infer<typeof CreatedApp>;
export type TopicRow = z.infer<typeof TopicRow>;
export type TopicDetail = z.infer<typeof TopicDetail>;
export type TailMessage = z.infer<typeof TailMessage>;
export type ConnectionRow = z.infer<typeof ConnectionRow>;
export type ConnectionDetail = z.infer<typeof ConnectionDetail>;
export type AuditRecord = z.infer<typeof AuditRecord>;
export type NodeRow = z.infer<typeof NodeRow>;
export type AppStatsRow = z.infer<typeof AppStatsRow>;
export type StatsSnapshot = z.infer<typeof StatsSnapshot>;
export type StatsHistory = z.infer<typeof StatsHistory>;
export type CreatedOperator = z.infer<typeof CreatedOperator>;
export type RevealedSecret = z.infer<typeof RevealedSecret>;
export type Rotated = z.infer<typeof Rotated>;
export type TopicPage = z.infer<typeof TopicPage>;
export type ConnectionPage = z.infer<typeof ConnectionPage>;
export type AuditPage = z.infer<typeof AuditPage>;
export type KeyKind = z.infer<typeof KeyKind>;
export type NodeKind = z.infer<typeof NodeKind>;
export type Totals = z.infer<typeof Totals>;
