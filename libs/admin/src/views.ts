import type * as C from '@beacon/admin-api';
import type {
  AppRecord,
  AuditRecordOut,
  OperatorDetails,
  PushSecretRecord,
  TokenKeyRecord,
} from '@beacon/persistence';

/** Persistence records as the admin API's wire shapes (schemas.ts in @beacon/admin-api). */
export function appView(app: AppRecord, connections: number | null): C.App {
  const s = app.settings;
  return {
    id: app.id,
    key: app.key,
    name: app.name,
    enabled: app.enabled,
    settings: {
      allowAnonymous: s.allowAnonymous,
      clientPublish: s.clientPublish,
      maxConnections: s.maxConnections,
      publishRate: s.publishRate,
      publishBurst: s.publishBurst,
      maxTopicsPerConnection: s.maxTopicsPerConnection,
      maxMessageBytes: s.maxMessageBytes,
      maxTokenLifetimeSec: s.maxTokenLifetimeSec,
    },
    createdAt: app.createdAt.toISOString(),
    connections,
  };
}

export function operatorView(o: OperatorDetails): C.Operator {
  return {
    id: o.id,
    email: o.email,
    role: o.role,
    disabled: o.disabled,
    createdAt: o.createdAt.toISOString(),
    lastSignInAt: o.lastSignInAt?.toISOString() ?? null,
  };
}

export function tokenKeyView(k: TokenKeyRecord): C.AppKey {
  return {
    kid: k.kid,
    kind: k.alg === 'HS256' ? 'token_hmac' : 'token_public',
    alg: k.alg,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export function pushSecretView(s: PushSecretRecord): C.AppKey {
  return {
    kid: s.kid,
    kind: 'push_secret',
    alg: null,
    createdAt: s.createdAt.toISOString(),
    revokedAt: s.revokedAt?.toISOString() ?? null,
  };
}

export function auditView(r: AuditRecordOut): C.AuditRecord {
  return {
    id: r.id,
    ts: r.ts.toISOString(),
    actor: r.actor,
    appId: r.appId ?? null,
    action: r.action,
    target: r.target ?? null,
    result: r.result,
    remoteAddr: r.remoteAddr ?? null,
    count: r.count,
    detail: r.detail ?? null,
  };
}
