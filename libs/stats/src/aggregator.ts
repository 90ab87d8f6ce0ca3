import type { AppStatsRow, NodeRow, StatsSnapshot, TopicRow, Totals } from '@beacon/admin-api';
import { TOP_APPS, TOP_N, type NodeSnapshot } from './node-snapshot.js';
import { TopN } from './top-n.js';

export interface AggregateOptions {
  /** The snapshot's time. */
  ts: number;
  /** A node whose last sample is older than this is `degraded` (it still counts). */
  staleAfterMs?: number;
  /**
   * Totals a cluster knows better than the sum of its nodes: publishes (the topic-service routes each
   * once, while every interested gateway sees it) and distinct topics (a topic on two gateways is one).
   */
  totals?: Partial<Pick<Totals, 'publishesPerSec' | 'topics'>>;
}

const key = (appId: string, topic: string): string => `${appId}\u0000${topic}`;
const byName = (a: TopicRow, b: TopicRow): number =>
  a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0;

/**
 * Merges node samples into the platform's StatsSnapshot. Bounded like its inputs: at most TOP_APPS apps
 * and TOP_N topics per list, whatever the nodes hold. Across nodes, connections, subscriptions,
 * deliveries and bytes add up; a topic's subscribers add up and its rate is the greatest any node saw
 * (every gateway with subscribers of a topic sees each of its messages); an app's publishes and
 * topics likewise take the greatest.
 */
export function aggregate(nodes: readonly NodeSnapshot[], opts: AggregateOptions): StatsSnapshot {
  const stale = opts.staleAfterMs ?? 3_000;
  const totals: Totals = {
    nodes: nodes.length,
    connections: 0,
    subscriptions: 0,
    topics: 0,
    deliveriesPerSec: 0,
    publishesPerSec: 0,
    bytesOutPerSec: 0,
  };
  const rows: NodeRow[] = [];
  const closesPerSec: Record<string, number> = {};
  const apps = new Map<string, AppStatsRow>();
  const topics = new Map<string, TopicRow>();
  let appsOmitted = 0;
  for (const n of nodes) {
    totals.connections += n.connections;
    totals.subscriptions += n.subscriptions;
    totals.topics += n.topics;
    totals.deliveriesPerSec += n.deliveriesPerSec;
    totals.publishesPerSec += n.publishesPerSec;
    totals.bytesOutPerSec += n.bytesOutPerSec;
    for (const [code, v] of Object.entries(n.closesPerSec))
      closesPerSec[code] = (closesPerSec[code] ?? 0) + v;
    rows.push({
      id: n.nodeId,
      kind: n.kind,
      address: n.address,
      status: opts.ts - n.ts > stale ? 'degraded' : 'up',
      startedAt: n.startedAt,
      connections: n.connections,
      subscriptions: n.subscriptions,
      topics: n.topics,
      rssBytes: n.rssBytes,
      heapUsedBytes: n.heapUsedBytes,
      eventLoopP99Ms: n.eventLoopP99Ms,
      deliveriesPerSec: n.deliveriesPerSec,
      publishesPerSec: n.publishesPerSec,
      bytesOutPerSec: n.bytesOutPerSec,
    });
    appsOmitted = Math.max(appsOmitted, n.appsOmitted);
    for (const a of n.apps) {
      const m = apps.get(a.appId);
      if (m === undefined) apps.set(a.appId, { ...a });
      else {
        m.connections += a.connections;
        m.subscriptions += a.subscriptions;
        m.deliveriesPerSec += a.deliveriesPerSec;
        m.topics = Math.max(m.topics, a.topics);
        m.publishesPerSec = Math.max(m.publishesPerSec, a.publishesPerSec);
      }
    }
    // A topic may be in both of a node's lists: merge each (node, topic) once.
    const seen = new Set<string>();
    for (const t of [...n.topBySubscribers, ...n.topByRate]) {
      const k = key(t.appId, t.topic);
      if (seen.has(k)) continue;
      seen.add(k);
      const m = topics.get(k);
      if (m === undefined) topics.set(k, { ...t });
      else {
        m.subscribers += t.subscribers;
        m.messagesPerSec = Math.max(m.messagesPerSec, t.messagesPerSec);
      }
    }
  }
  if (opts.totals?.publishesPerSec !== undefined) totals.publishesPerSec = opts.totals.publishesPerSec;
  if (opts.totals?.topics !== undefined) totals.topics = opts.totals.topics;
  for (const k of ['deliveriesPerSec', 'publishesPerSec', 'bytesOutPerSec'] as const)
    totals[k] = round(totals[k]);
  for (const code of Object.keys(closesPerSec)) closesPerSec[code] = round(closesPerSec[code] as number);

  const topApps = new TopN<AppStatsRow>(
    TOP_APPS,
    (a) => a.connections,
    (a, b) => (a.appId < b.appId ? -1 : 1),
  );
  for (const a of apps.values()) topApps.push(a);
  const bySubs = new TopN<TopicRow>(TOP_N, (t) => t.subscribers, byName);
  const byRate = new TopN<TopicRow>(TOP_N, (t) => t.messagesPerSec, byName);
  for (const t of topics.values()) {
    bySubs.push(t);
    if (t.messagesPerSec > 0) byRate.push(t);
  }
  rows.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.id < b.id ? -1 : 1));
  return {
    ts: opts.ts,
    totals,
    nodes: rows,
    apps: topApps.take(),
    appsOmitted: appsOmitted + Math.max(0, apps.size - TOP_APPS),
    topTopics: { bySubscribers: bySubs.take(), byRate: byRate.take() },
    closesPerSec,
  };
}

function kindOrder(kind: NodeRow['kind']): number {
  return kind === 'single' ? 0 : kind === 'topic-service' ? 1 : kind === 'gateway' ? 2 : 3;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
