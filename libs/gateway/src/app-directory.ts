import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';

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
 * once (the app change feed calls it on every change, from any process). Concurrent lookups of one key share
 * one query. Found apps and unknown keys live in separate LRUs, so a flood of made-up keys only churns the
 * negative cache and never evicts a real tenant's entry.
 */
export class CachedAppDirectory implements AppDirectory {
  private readonly found: LRUCache<string, { at: number; value: Promise<GatewayApp | null> }>;
  private readonly missing: LRUCache<string, { at: number; value: Promise<GatewayApp | null> }>;

  constructor(
    private readonly inner: AppDirectory,
    private readonly ttlMs = 5_000,
    maxEntries = 10_000,
  ) {
    this.found = new LRUCache({ max: maxEntries });
    this.missing = new LRUCache({ max: maxEntries });
  }

  findByKey(key: string): Promise<GatewayApp | null> {
    const now = Date.now();
    const hit = this.found.get(key) ?? this.missing.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value;
    const entry = { at: now, value: this.inner.findByKey(key) };
    // Pending lookups sit in the negative cache until they resolve: a flood cannot push out a found app.
    this.missing.set(key, entry);
    entry.value.then(
      (app) => {
        if (this.missing.get(key) !== entry) return; // invalidated or replaced meanwhile
        if (app !== null) {
          this.missing.delete(key);
          this.found.set(key, entry);
        } else this.found.delete(key);
      },
      () => {
        if (this.missing.get(key) === entry) this.missing.delete(key);
      },
    );
    return entry.value;
  }

  invalidate(key?: string): void {
    if (key === undefined) {
      this.found.clear();
      this.missing.clear();
    } else {
      this.found.delete(key);
      this.missing.delete(key);
    }
  }
}
