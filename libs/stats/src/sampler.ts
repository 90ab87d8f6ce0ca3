import type { AppStatsRow, NodeKind, TopicRow } from '@beacon/admin-api';
import { TOP_APPS, TOP_N, type NodeSnapshot } from './node-snapshot.js';
import type { ProcessProbe } from './process-probe.js';

/** Cumulative counters of a node, read once per sample (never reset). */
export interface NodeCounters {
  deliveries: number;
  deliveredBytes: number;
  /** Messages that reached the node for delivery (a gateway), or that it routed (the topic-service). */
  publishes: number;
  /** Server closes by close code (`"4008"`) and other refusals by reason; cumulative. */
  closes: Record<string, number>;
}

/** What a node's lists are made of, built only when someone watches (`detailed`). */
export interface NodeDetail {
  apps: AppStatsRow[];
  appsOmitted: number;
  topBySubscribers: TopicRow[];
  topByRate: TopicRow[];
}

/** The node a sampler reads. Everything but `detail` must be O(1) or O(apps): it runs every second. */
export interface NodeSource {
  readonly nodeId: string;
  readonly kind: NodeKind;
  readonly address: string;
  readonly startedAt: number;
  counters(): NodeCounters;
  gauges(): { connections: number; subscriptions: number; topics: number };
  /** Per-app rows and top topics, rates averaged over `intervalMs`; O(topics). */
  detail?(now: number, intervalMs: number): NodeDetail;
}

const EMPTY_DETAIL: NodeDetail = { apps: [], appsOmitted: 0, topBySubscribers: [], topByRate: [] };

/**
 * Reads one node into a bounded NodeSnapshot, about once a second. Rates are the counters' differences
 * over the time since the previous sample. With `detailed` off (nobody watching) a sample costs a few
 * counter reads and `process.memoryUsage()`; with it on, one pass over the node's topics as well.
 */
export class NodeSampler {
  private previous: { at: number; counters: NodeCounters } | undefined;
  private watched = false;

  constructor(
    readonly source: NodeSource,
    private readonly probe: ProcessProbe,
  ) {}

  get detailed(): boolean {
    return this.watched;
  }

  set detailed(on: boolean) {
    if (on === this.watched) return;
    this.watched = on;
    this.probe.enable(on);
  }

  sample(now: number): NodeSnapshot {
    const s = this.source;
    const counters = s.counters();
    const prev = this.previous;
    const intervalMs = prev === undefined ? 0 : Math.max(1, now - prev.at);
    const perSec = (cur: number, old: number | undefined): number =>
      prev === undefined || old === undefined ? 0 : round(((cur - old) * 1000) / intervalMs);
    const closesPerSec: Record<string, number> = {};
    for (const [code, total] of Object.entries(counters.closes)) {
      const r = perSec(total, prev?.counters.closes[code] ?? 0);
      if (r > 0) closesPerSec[code] = r;
    }
    this.previous = { at: now, counters };
    const { connections, subscriptions, topics } = s.gauges();
    const { rssBytes, heapUsedBytes } = this.probe.memory();
    const detail = this.watched && s.detail !== undefined ? s.detail(now, intervalMs || 1000) : EMPTY_DETAIL;
    return {
      nodeId: s.nodeId,
      kind: s.kind,
      address: s.address,
      startedAt: s.startedAt,
      ts: now,
      intervalMs,
      connections,
      subscriptions,
      topics,
      rssBytes,
      heapUsedBytes,
      eventLoopP99Ms: this.watched ? this.probe.loopP99Ms() : 0,
      deliveriesPerSec: perSec(counters.deliveries, prev?.counters.deliveries),
      publishesPerSec: perSec(counters.publishes, prev?.counters.publishes),
      bytesOutPerSec: perSec(counters.deliveredBytes, prev?.counters.deliveredBytes),
      closesPerSec,
      detailed: this.watched && s.detail !== undefined,
      apps: detail.apps.slice(0, TOP_APPS),
      appsOmitted: detail.appsOmitted,
      topBySubscribers: detail.topBySubscribers.slice(0, TOP_N),
      topByRate: detail.topByRate.slice(0, TOP_N),
    };
  }
}

/** Rates to two decimals: the stream carries no noise digits. */
export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
