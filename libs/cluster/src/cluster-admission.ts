import type { cluster } from '@beacon/contracts';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import type { ConnectionAdmission } from '@beacon/routing';

/** What the admission needs from the gateway's Attach stream (GatewayLink provides it). */
export interface AdmissionChannel {
  /** Queues an acquire request on the current stream; false when there is none or its queue is full. */
  sendAcquire(request: cluster.AdmissionRequest): boolean;
  /** Slot changes are waiting in `takeChanges`; the channel sends them when the stream has room. */
  slotsChanged(): void;
}

interface Pending {
  appId: string;
  limit: number;
  resolve: (granted: boolean) => void;
}

/** Acquire requests waiting for the topic-service's answer, at most; past it the gateway decides alone. */
const MAX_PENDING = 10_000;

/**
 * `maxConnections` per app across the cluster. The topic-service counts every gateway's slots per app
 * and answers each `acquire`; this gateway keeps its own count (`held`) so the topic-service can
 * rebuild its table from the snapshot after a restart or reconnect, and so it can fall back:
 *
 * - attached: `acquire` asks the topic-service (one request id per request, answered `granted` or
 *   not); `release` is reported as a slot change, coalesced per app.
 * - detached, or the request cannot be queued (stream queue full), or the answer never comes because
 *   the stream is lost: degraded, the gateway admits against its own slots only (so the cluster-wide
 *   total may exceed the limit by what each gateway admits alone) and counts it
 *   (`beacon_cluster_admission_degraded_total`). A slot taken alone while attached is reported as a
 *   positive slot change, so the topic-service still counts it.
 */
export class ClusterAdmission implements ConnectionAdmission {
  private readonly held = new Map<string, number>();
  private readonly changes = new Map<string, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** A stream is open and its snapshot (with `held`) was sent: changes are reported on it. */
  private attached = false;
  /** The stream is registered: requests are answered on it. */
  private ready = false;
  private channel: AdmissionChannel | undefined;
  private readonly degraded: Counter;
  private readonly refused: Counter;

  constructor(metrics: MetricsRegistry) {
    this.degraded = metrics.counter(
      'beacon_cluster_admission_degraded_total',
      'Connection slots decided by this gateway alone (topic-service unreachable or not keeping up)',
    );
    this.refused = metrics.counter(
      'beacon_cluster_admission_refused_total',
      'Connections refused because their app was at maxConnections (cluster-wide, or locally when degraded)',
    );
    metrics.gauge(
      'beacon_cluster_admission_pending',
      'Acquire requests waiting for the topic-service',
      () => this.pending.size,
    );
  }

  /** Set once by the link that carries the requests. */
  bind(channel: AdmissionChannel): void {
    this.channel = channel;
  }

  acquire(appId: string, limit: number): boolean | Promise<boolean> {
    if (limit <= 0) return this.refuse();
    if (!this.ready || this.channel === undefined || this.pending.size >= MAX_PENDING) {
      return this.decideAlone(appId, limit);
    }
    const requestId = this.nextId++;
    if (!this.channel.sendAcquire({ requestId, appId, limit })) return this.decideAlone(appId, limit);
    return new Promise<boolean>((resolve) => this.pending.set(requestId, { appId, limit, resolve }));
  }

  release(appId: string): void {
    const n = this.held.get(appId) ?? 0;
    if (n <= 0) return;
    if (n === 1) this.held.delete(appId);
    else this.held.set(appId, n - 1);
    if (this.attached) this.change(appId, -1);
  }

  /** Slots this gateway holds for the app. */
  count(appId: string): number {
    return this.held.get(appId) ?? 0;
  }

  // ---- the link's side ----

  /** A new stream: its snapshot carries every slot held; nothing older is still to be sent. */
  streamStarted(): cluster.SlotCount[] {
    this.attached = true;
    this.ready = false;
    this.changes.clear();
    return [...this.held].map(([appId, count]) => ({ appId, count }));
  }

  /** The topic-service answered `registered`: from now on it decides. */
  streamRegistered(): void {
    this.ready = this.attached;
  }

  /**
   * The stream is lost; the topic-service forgets this gateway's slots with it. Requests in flight
   * are decided here; the next snapshot reports what is held then.
   */
  streamLost(): void {
    this.attached = false;
    this.ready = false;
    this.changes.clear();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.resolve(this.decideAlone(p.appId, p.limit));
  }

  /** The topic-service's answer to one request; unknown ids (a lost stream's) are ignored. */
  answered(requestId: number, granted: boolean): void {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.pending.delete(requestId);
    if (granted) this.take(p.appId);
    else this.refused.value++;
    p.resolve(granted);
  }

  /** The coalesced slot changes to send now (and forgets them). */
  takeChanges(): cluster.SlotChange[] {
    const out = [...this.changes].map(([appId, delta]) => ({ appId, delta }));
    this.changes.clear();
    return out;
  }

  get hasChanges(): boolean {
    return this.changes.size > 0;
  }

  private decideAlone(appId: string, limit: number): boolean {
    this.degraded.value++;
    if (this.count(appId) >= limit) return this.refuse();
    this.take(appId);
    if (this.attached) this.change(appId, 1);
    return true;
  }

  private refuse(): false {
    this.refused.value++;
    return false;
  }

  private take(appId: string): void {
    this.held.set(appId, this.count(appId) + 1);
  }

  private change(appId: string, delta: number): void {
    const n = (this.changes.get(appId) ?? 0) + delta;
    if (n === 0) this.changes.delete(appId);
    else this.changes.set(appId, n);
    this.channel?.slotsChanged();
  }
}
