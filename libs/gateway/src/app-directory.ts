/**
 * The gateway's port to whatever stores apps (tenants). The persistence lib satisfies it structurally;
 * the gateway never sees a database.
 */
export interface GatewayAppSettings {
  allowAnonymous: boolean;
  clientPublish: boolean;
  maxConnections: number;
}

export interface GatewayApp {
  id: string;
  key: string;
  enabled: boolean;
  settings: GatewayAppSettings;
  /** Active secrets (UTF-8 bytes), newest first; any of them may have signed a client token. */
  secrets: Uint8Array[];
}

export interface AppDirectory {
  findByKey(key: string): Promise<GatewayApp | null>;
}

export const APP_DIRECTORY = Symbol('APP_DIRECTORY');

/**
 * Keeps lookups off the database for every connect: entries (found or not) live `ttlMs`, and
 * `invalidate` drops one at once when an app changes in this process. Concurrent lookups of one key
 * share one query.
 */
export class CachedAppDirectory implements AppDirectory {
  private readonly entries = new Map<string, { at: number; value: Promise<GatewayApp | null> }>();

  constructor(
    private readonly inner: AppDirectory,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  findByKey(key: string): Promise<GatewayApp | null> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = this.inner.findByKey(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  invalidate(key?: string): void {
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }
}
