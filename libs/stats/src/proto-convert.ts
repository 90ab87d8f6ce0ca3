import type { ConnectionDetails, ConnectionSummary } from '@beacon/admin';
import type { NodeKind, StatsHistory, StatsSnapshot, TopicRow } from '@beacon/admin-api';
import type { cluster } from '@beacon/contracts';
import type { NodeSnapshot } from './node-snapshot.js';

const KINDS: readonly NodeKind[] = ['single', 'topic-service', 'gateway', 'push-api'];

export function nodeKind(kind: string): NodeKind {
  return (KINDS as readonly string[]).includes(kind) ? (kind as NodeKind) : 'gateway';
}

export function nodeStatsToProto(s: NodeSnapshot): cluster.NodeStats {
  return s;
}

/** A node's sample as it arrived; list lengths are cut to what a node may send. */
export function nodeStatsFromProto(s: cluster.NodeStats, maxRows: number): NodeSnapshot {
  return {
    ...s,
    kind: nodeKind(s.kind),
    closesPerSec: { ...(s.closesPerSec ?? {}) },
    apps: (s.apps ?? []).slice(0, maxRows),
    topBySubscribers: (s.topBySubscribers ?? []).slice(0, maxRows),
    topByRate: (s.topByRate ?? []).slice(0, maxRows),
  };
}

export function snapshotToProto(s: StatsSnapshot): cluster.StatsSnapshot {
  return {
    ts: s.ts,
    totals: s.totals,
    nodes: s.nodes,
    apps: s.apps,
    appsOmitted: s.appsOmitted,
    topBySubscribers: s.topTopics.bySubscribers,
    topByRate: s.topTopics.byRate,
    closesPerSec: s.closesPerSec,
  };
}

export function snapshotFromProto(s: cluster.StatsSnapshot): StatsSnapshot {
  return {
    ts: s.ts,
    totals: s.totals ?? {
      nodes: 0,
      connections: 0,
      subscriptions: 0,
      topics: 0,
      deliveriesPerSec: 0,
      publishesPerSec: 0,
      bytesOutPerSec: 0,
    },
    nodes: (s.nodes ?? []).map((n) => ({
      ...n,
      kind: nodeKind(n.kind),
      status: n.status === 'degraded' || n.status === 'down' ? n.status : 'up',
    })),
    apps: s.apps ?? [],
    appsOmitted: s.appsOmitted,
    topTopics: { bySubscribers: s.topBySubscribers ?? [], byRate: s.topByRate ?? [] },
    closesPerSec: { ...(s.closesPerSec ?? {}) },
  };
}

export function historyToProto(h: StatsHistory): cluster.StatsHistory {
  const closesPerSec: Record<string, cluster.Column> = {};
  for (const [code, values] of Object.entries(h.closesPerSec)) closesPerSec[code] = { values };
  return { ...h, closesPerSec };
}

export function historyFromProto(h: cluster.StatsHistory): StatsHistory {
  const closesPerSec: Record<string, number[]> = {};
  for (const [code, col] of Object.entries(h.closesPerSec ?? {})) closesPerSec[code] = col.values ?? [];
  return {
    intervalMs: h.intervalMs || 1000,
    ts: h.ts ?? [],
    deliveriesPerSec: h.deliveriesPerSec ?? [],
    publishesPerSec: h.publishesPerSec ?? [],
    connections: h.connections ?? [],
    bytesOutPerSec: h.bytesOutPerSec ?? [],
    closesPerSec,
  };
}

export function connectionToProto(
  c: ConnectionSummary & Partial<ConnectionDetails> & { appKey?: string },
): cluster.ConnectionInfo {
  return {
    clientId: c.clientId,
    appId: c.appId,
    appKey: c.appKey ?? '',
    userId: c.userId ?? undefined,
    nodeId: c.nodeId,
    connectedAt: c.connectedAt,
    remoteAddress: c.remoteAddress,
    topics: c.topics,
    topicList: c.topicList ?? [],
    userAgent: c.userAgent ?? undefined,
    infoJson: c.info === undefined || c.info === null ? '' : JSON.stringify(c.info),
    messagesIn: c.messagesIn ?? 0,
    messagesOut: c.messagesOut ?? 0,
    bytesIn: c.bytesIn ?? 0,
    bytesOut: c.bytesOut ?? 0,
  };
}

export function summaryFromProto(c: cluster.ConnectionInfo): ConnectionSummary & { appKey: string } {
  return {
    clientId: c.clientId,
    appId: c.appId,
    appKey: c.appKey,
    userId: c.userId ?? null,
    nodeId: c.nodeId,
    connectedAt: Number(c.connectedAt),
    remoteAddress: c.remoteAddress,
    topics: c.topics,
  };
}

export function detailsFromProto(c: cluster.ConnectionInfo): ConnectionDetails & { appKey: string } {
  let info: Record<string, unknown> | null = null;
  if (c.infoJson !== '') {
    try {
      const v: unknown = JSON.parse(c.infoJson);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) info = v as Record<string, unknown>;
    } catch {
      info = null;
    }
  }
  return {
    ...summaryFromProto(c),
    topicList: c.topicList ?? [],
    userAgent: c.userAgent ?? null,
    info,
    messagesIn: Number(c.messagesIn),
    messagesOut: Number(c.messagesOut),
    bytesIn: Number(c.bytesIn),
    bytesOut: Number(c.bytesOut),
  };
}

export function topicRowFromProto(t: cluster.TopicRow): TopicRow {
  return {
    appId: t.appId,
    appKey: t.appKey,
    topic: t.topic,
    subscribers: Number(t.subscribers),
    messagesPerSec: t.messagesPerSec,
  };
}
