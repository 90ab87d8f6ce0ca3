/** What the push API needs from outside, satisfied structurally by @beacon/persistence. */
export interface ApiApp {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
}

export type SecretCheck =
  { ok: true; app: ApiApp } | { ok: false; reason: 'unknown' | 'revoked' | 'disabled'; app?: ApiApp };

export interface AppAuthenticator {
  authenticateSecret(secret: string): Promise<SecretCheck>;
}

export interface AuditSink {
  record(entry: {
    actor: string;
    appId?: string | null;
    action: string;
    target?: string | null;
    result: string;
    remoteAddr?: string | null;
    detail?: unknown;
  }): void;
}

export interface PushApiOptions {
  /** Largest `data` payload in bytes once serialised. */
  maxMessageBytes: number;
}

export const APP_AUTHENTICATOR = Symbol('APP_AUTHENTICATOR');
export const AUDIT_SINK = Symbol('AUDIT_SINK');
export const PUSH_API_OPTIONS = Symbol('PUSH_API_OPTIONS');

/** Express request fields the push API sets. */
export interface ApiRequestState {
  beaconApp?: ApiApp;
  auditTarget?: string;
  problemCode?: string;
}
