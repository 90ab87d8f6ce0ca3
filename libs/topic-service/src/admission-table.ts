import type { cluster } from '@beacon/contracts';

const MAX_COUNT = 0xffffffff;

/**
 * Connection slots per app, per gateway: how `maxConnections` holds across the cluster. A gateway
 * asks for a slot before admitting a connection (`acquire`, granted while the app's total is under
 * the limit the gateway read from the app), reports the slots it gave back or took alone (`change`),
 * and reports all it holds in every snapshot (`replace`), which is how the table is rebuilt after a
 * restart. A gateway that goes away (stream ended, expired, replaced, dropped as slow) takes its
 * slots with it (`remove`).
 */
export class AdmissionTable<G> {
  private readonly totals = new Map<string, number>();
  private readonly own = new Map<G, Map<string, number>>();

  constructor(private readonly maxAppsPerGateway: number) {}

  /** Slots of the app, all gateways together. */
  total(appId: string): number {
    return this.totals.get(appId) ?? 0;
  }

  /** Slots the gateway holds, all apps together. */
  slotsOf(gateway: G): number {
    let n = 0;
    for (const c of this.own.get(gateway)?.values() ?? []) n += c;
    return n;
  }

  /** Takes one slot for the gateway if the app is under `limit`; false otherwise (or past a bound). */
  acquire(gateway: G, appId: string, limit: number): boolean {
    if (this.total(appId) >= limit) return false;
    return this.add(gateway, appId, 1);
  }

  /** Adds `delta` (negative: slots given back) to the gateway's slots of the app, never below 0. */
  change(gateway: G, appId: string, delta: number): void {
    this.add(gateway, appId, delta);
  }

  /** A snapshot: the gateway's slots become exactly these. Entries failing `valid` are skipped; returns how many. */
  replace(gateway: G, slots: readonly cluster.SlotCount[], valid: (s: cluster.SlotCount) => boolean): number {
    this.remove(gateway);
    let skipped = 0;
    for (const s of slots) {
      if (valid(s)) this.add(gateway, s.appId, s.count);
      else skipped++;
    }
    return skipped;
  }

  remove(gateway: G): void {
    const mine = this.own.get(gateway);
    if (mine === undefined) return;
    for (const [appId, n] of mine) this.setTotal(appId, this.total(appId) - n);
    this.own.delete(gateway);
  }

  private add(gateway: G, appId: string, delta: number): boolean {
    let mine = this.own.get(gateway);
    const had = mine?.get(appId) ?? 0;
    const next = Math.min(MAX_COUNT, Math.max(0, had + delta));
    if (next === had) return delta === 0;
    if (mine === undefined) this.own.set(gateway, (mine = new Map()));
    if (had === 0 && mine.size >= this.maxAppsPerGateway) return false;
    if (next === 0) mine.delete(appId);
    else mine.set(appId, next);
    if (mine.size === 0) this.own.delete(gateway);
    this.setTotal(appId, this.total(appId) + next - had);
    return true;
  }

  private setTotal(appId: string, n: number): void {
    if (n <= 0) this.totals.delete(appId);
    else this.totals.set(appId, n);
  }
}
