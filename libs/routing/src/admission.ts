/**
 * Connection admission per app: how a gateway enforces an app's `maxConnections`. In one process the
 * LocalAdmission below counts this node's slots; in a cluster an implementation backed by the
 * topic-service counts every gateway's, so the limit holds per app across the cluster.
 *
 * A slot is taken by `acquire` before a connection's onConnect hooks run and given back by `release`
 * exactly once when that connection ends (refused by a hook, closed, or never opened).
 */
export interface ConnectionAdmission {
  /** Takes one of the app's `limit` slots; false (or a promise of false) when the app is at its limit. */
  acquire(appId: string, limit: number): boolean | Promise<boolean>;
  /** Gives back one slot taken by a successful `acquire`. */
  release(appId: string): void;
}

/** Slots counted in this process only. Synchronous, so check and reservation are atomic. */
export class LocalAdmission implements ConnectionAdmission {
  private readonly taken = new Map<string, number>();

  acquire(appId: string, limit: number): boolean {
    const n = this.taken.get(appId) ?? 0;
    if (n >= limit) return false;
    this.taken.set(appId, n + 1);
    return true;
  }

  release(appId: string): void {
    const n = (this.taken.get(appId) ?? 0) - 1;
    if (n <= 0) this.taken.delete(appId);
    else this.taken.set(appId, n);
  }

  /** Slots currently taken by the app. */
  count(appId: string): number {
    return this.taken.get(appId) ?? 0;
  }
}
