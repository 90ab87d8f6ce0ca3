import type { KeyObject } from 'node:crypto';
import { LookupCache } from '@beacon/routing';

/**
 * The gateway's port to whatever stores apps (tenants). The persistence lib satisfies it structurally;
 * the gateway never sees a database.
 */
export interface GatewayAppSettings {
  allowAnonymous: boolean;
  clientPublish: boolean;
  maxConnections: number;
  /** Longest life a client token may have, in seconds (exp − iat and exp − now). */
  maxTokenLifetimeSec: number;
  /** Per-app overrides of the per-connection limits; null or absent: the process-wide limit. */
  publishRate?: number | null;
  publishBurst?: number | null;
  maxTopicsPerConnection?: number | null;
  maxMessageBytes?: number | null;
  /** Topic patterns with presence (optional: none). */
  presence?: string[];
  /** Members a presence topic may have. */
  presenceMaxMembers?: number;
  /** History rules, first match wins (optional: none). */
  history?: Array<{ pattern: string; size: number; ttlSec: number }>;
  /** Beacon's server frames (default) or firetower's. */
  serverFrames?: 'beacon' | 'firetower';
}

/** A key that verifies client tokens: an HS256 secret or an ES256 / EdDSA / RS256 public key. */
export interface GatewayTokenKey {
  kid: string;
  alg: 'HS256' | 'ES256' | 'EdDSA' | 'RS256';
  key: KeyObject;
}

export interface GatewayApp {
  id: string;
  key: string;
  enabled: boolean;
  settings: GatewayAppSettings;
  /** Active token keys, newest first. Never the push secret: that only authenticates backends. */
  tokenKeys: GatewayTokenKey[];
}

export interface AppDirectory {
  findByKey(key: string): Promise<GatewayApp | null>;
  /** Forgets what a cache holds for `key` (every key when omitted); absent on uncached directories. */
  invalidate?(key?: string): void;
}

export const APP_DIRECTORY = Symbol('APP_DIRECTORY');

/**
 * Keeps lookups off the database for every connect: an entry lives `ttlMs`, and `invalidate` drops one at
 * once (the app change feed calls it on every change, from any process). Found apps and unknown keys are
 * cached apart (LookupCache), so a flood of made-up keys never evicts a real tenant's entry.
 */
export class CachedAppDirectory implements AppDirectory {
  private readonly cache: LookupCache<GatewayApp | null>;

  constructor(
    private readonly inner: AppDirectory,
    ttlMs = 5_000,
    maxEntries = 10_000,
  ) {
    this.cache = new LookupCache(ttlMs, maxEntries, (app) => app !== null);
  }

  findByKey(key: string): Promise<GatewayApp | null> {
    return this.cache.get(key, () => this.inner.findByKey(key));
  }

  invalidate(key?: string): void {
    this.cache.clear(key);
  }
}
