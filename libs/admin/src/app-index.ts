import type { AppRecord } from '@beacon/persistence';
import { AdminException } from './admin.exception.js';
import type { AdminStore } from './store.js';

/**
 * Apps by key and by id for the admin API's views (topic and connection rows name their app's key): the
 * list is read at most once per `ttlMs`, and again after any change this process makes.
 */
export class AppIndex {
  private cached: { at: number; apps: Promise<AppRecord[]> } | null = null;

  constructor(
    private readonly store: AdminStore,
    private readonly now: () => number,
    private readonly ttlMs = 1_000,
  ) {}

  list(): Promise<AppRecord[]> {
    const now = this.now();
    if (this.cached === null || now - this.cached.at >= this.ttlMs) {
      const apps = this.store.apps.list();
      this.cached = { at: now, apps };
      apps.catch(() => {
        if (this.cached?.apps === apps) this.cached = null;
      });
    }
    return this.cached.apps;
  }

  invalidate(): void {
    this.cached = null;
  }

  async byKey(key: string): Promise<AppRecord> {
    const app = (await this.list()).find((a) => a.key === key);
    if (app === undefined) {
      // made by another process since the list was read?
      this.invalidate();
      const fresh = (await this.list()).find((a) => a.key === key);
      if (fresh === undefined)
        throw new AdminException('not_found', `no app with key ${JSON.stringify(key)}`);
      return fresh;
    }
    return app;
  }

  /** The app's id for a key filter; undefined when there is no filter, null when no app has that key. */
  async idFilter(key: string | undefined): Promise<string | null | undefined> {
    if (key === undefined) return undefined;
    return (await this.list()).find((a) => a.key === key)?.id ?? null;
  }

  async keyOf(appId: string): Promise<string> {
    const apps = await this.list();
    return apps.find((a) => a.id === appId)?.key ?? appId;
  }
}
