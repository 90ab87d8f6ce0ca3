import type { AppStatsRow, NodeKind, TopicRow } from '@beacon/admin-api';

/** How many rows a node reports and a snapshot carries per list: the bound that keeps both small. */
export const TOP_N = 10;
/** Busiest apps per node and per snapshot. */
export const TOP_APPS = 20;

/**
 * One node's sample, about once a second. Its size is bounded whatever the node holds: apps and topics
 * are top-N lists. `detailed` is false when nobody watches: the top-topic lists are then empty and the
 * node skipped the pass over its topics that fills them.
 */
export interface NodeSnapshot {
  nodeId: string;
  kind: NodeKind;
  address: string;
  startedAt: number;
  ts: number;
  /** Length of the interval the rates are averaged over, ms. */
  intervalMs: number;
  connections: number;
  subscriptions: number;
  topics: number;
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopP99Ms: number;
  deliveriesPerSec: number;
  publishesPerSec: number;
  bytesOutPerSec: number;
  closesPerSec: Record<string, number>;
  detailed: boolean;
  apps: AppStatsRow[];
  appsOmitted: number;
  topBySubscribers: TopicRow[];
  topByRate: TopicRow[];
}
