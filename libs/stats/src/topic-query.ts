import type { TopicQuery, TopicSummary } from '@beacon/admin';
import type { TopicRow } from '@beacon/admin-api';
import type { Hub } from '@beacon/gateway';
import { TopN } from './top-n.js';
import { topicRow, type TopicRates } from './topic-rates.js';

const byName = (a: TopicRow, b: TopicRow): number =>
  a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0;

/** A ranking of one node's topics: the first `offset + limit` by the sort key, and how many match. */
export function rankNodeTopics(
  hub: Hub,
  rates: TopicRates,
  q: TopicQuery,
  now: number,
): { items: TopicRow[]; total: number } {
  rates.fresh(now);
  const score = q.sort === 'rate' ? (r: TopicRow) => r.messagesPerSec : (r: TopicRow) => r.subscribers;
  const top = new TopN<TopicRow>(q.offset + q.limit, score, byName);
  let total = 0;
  const apps = q.appId === undefined ? [...hub.appViews()] : [hub.appView(q.appId)];
  for (const app of apps) {
    if (app === undefined) continue;
    for (const [topic, entry] of app.topics) {
      if (q.prefix !== undefined && !topic.startsWith(q.prefix)) continue;
      total++;
      const s = q.sort === 'rate' ? entry.rate : entry.subs.size;
      if (top.wouldTake(s)) top.push(topicRow(app, topic, entry));
    }
  }
  return { items: top.take(), total };
}

/**
 * Merges nodes' rankings: subscribers add up, the rate is the greatest a node saw (each interested
 * gateway sees every message of the topic). Returns the rows from `offset`, `limit` of them.
 */
export function mergeTopicRankings(
  rankings: ReadonlyArray<{ items: TopicRow[] }>,
  q: Pick<TopicQuery, 'sort' | 'offset' | 'limit'>,
): TopicRow[] {
  const merged = new Map<string, TopicRow>();
  for (const r of rankings) {
    for (const t of r.items) {
      const k = `${t.appId}\u0000${t.topic}`;
      const m = merged.get(k);
      if (m === undefined) merged.set(k, { ...t });
      else {
        m.subscribers += t.subscribers;
        m.messagesPerSec = Math.max(m.messagesPerSec, t.messagesPerSec);
      }
    }
  }
  const score = q.sort === 'rate' ? (r: TopicRow) => r.messagesPerSec : (r: TopicRow) => r.subscribers;
  const top = new TopN<TopicRow>(q.offset + q.limit, score, byName);
  for (const t of merged.values()) top.push(t);
  return top.take().slice(q.offset, q.offset + q.limit);
}

export function toSummary(r: TopicRow): TopicSummary {
  return { appId: r.appId, topic: r.topic, subscribers: r.subscribers, messagesPerSec: r.messagesPerSec };
}

/**
 * The topic-service's interest table: every topic with subscribers on some gateway, with the gateways'
 * counts summed. It is exact where the gateways' rankings are not (a topic spread over gateways may rank
 * low on each), so the cluster's total and subscriber ranking come from it.
 */
export interface ClusterTopicCounts {
  /** [appId, topic, subscribers] of one app's topics, or of every app's. */
  topics(appId?: string): Iterable<readonly [string, string, number]>;
  subscribers(appId: string, topic: string): number;
}

/**
 * The topics matching the filter (app, prefix) and the first `take` of them by subscribers, then by name
 * (the order rankNodeTopics uses); rows carry no rate and no app key, which the caller fills in.
 */
export function rankCountedTopics(
  counts: ClusterTopicCounts,
  q: Pick<TopicQuery, 'appId' | 'prefix'>,
  take: number,
): { items: TopicRow[]; total: number } {
  const top = new TopN<TopicRow>(take, (r) => r.subscribers, byName);
  let total = 0;
  for (const [appId, topic, subscribers] of counts.topics(q.appId)) {
    if (q.prefix !== undefined && !topic.startsWith(q.prefix)) continue;
    total++;
    if (top.wouldTake(subscribers)) top.push({ appId, appKey: '', topic, subscribers, messagesPerSec: 0 });
  }
  return { items: top.take(), total };
}
