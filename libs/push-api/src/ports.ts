import type { PolicySettings } from '@beacon/routing';
/** What the push API needs from outside, satisfied structurally by @beacon/persistence. */
export interface ApiApp {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  /** History and presence rules (app settings); absent: none. */
  settings?: PolicySettings;
}

export type SecretCheck =
  { ok: true; app: ApiApp } | { ok: false; reason: 'unknown' | 'revoked' | 'disabled'; app?: ApiApp };

export interface AppAuthenticator {
  authenticateSecret(secret: string): Promise<SecretCheck>;
}

export interface AuditEntry {
  actor: string;
  appId?: string | null;
  action: string;
  target?: string | null;
  result: string;
  remoteAddr?: string | null;
  detail?: unknown;
}

/**
 * Where the push API's audit records go (AuditLog in @beacon/persistence). Changes are recorded one row
 * each; successful data-plane calls are tallied (one row per app, action and source per window, with a
 * count); refusals are written at once the first time in a window and their repeats counted.
 */
export interface AuditSink {
  record(entry: AuditEntry): void;
  tally(entry: AuditEntry): void;
  refusal(entry: AuditEntry): void;
}

export interface PushApiOptions {
  /** Largest `data` payload in bytes once serialised. */
  maxMessageBytes: number;
  /** Longest topic name (BEACON_MAX_TOPIC_LENGTH); default DEFAULT_MAX_TOPIC_LENGTH. */
  maxTopicLength?: number;
}

export const APP_AUTHENTICATOR = Symbol('APP_AUTHENTICATOR');
export const AUDIT_SINK = Symbol('AUDIT_SINK');
export const PUSH_API_OPTIONS = Symbol('PUSH_API_OPTIONS');
