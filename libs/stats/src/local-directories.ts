import type {
  ConnectionDetails,
  ConnectionDirectory,
  ConnectionQuery,
  ConnectionSummary,
  TailedMessage,
  TopicDirectory,
  TopicQuery,
  TopicSummary,
} from '@beacon/admin';
import type { Hub } from '@beacon/gateway';
import { findNodeConnections, mergeConnectionPages, nodeConnection } from './connection-query.js';
import { mergeTopicRankings, rankNodeTopics } from './topic-query.js';
import type { TopicRates } from './topic-rates.js';
import { systemStatsClock, type StatsClock } from './timers.js';

/** Topics of the single process: rankings over its hub, rates from the shared rate pass, taps for tails. */
export class LocalTopicDirectory implements TopicDirectory {
  constructor(
    private readonly hub: Hub,
    private readonly rates: TopicRates,
    private readonly clock: StatsClock = systemStatsClock,
  ) {}

  async list(q: TopicQuery): Promise<{ items: TopicSummary[]; total: number | null }> {
    const ranking = rankNodeTopics(this.hub, this.rates, q, this.clock.now());
    return { items: mergeTopicRankings([ranking], q), total: ranking.total };
  }

  async detail(
    appId: string,
    topic: string,
  ): Promise<(TopicSummary & { nodes: Array<{ nodeId: string; subscribers: number }> }) | null> {
    this.rates.fresh(this.clock.now());
    const app = this.hub.appView(appId);
    const entry = app?.topics.get(topic);
    if (app === undefined || entry === undefined) return null;
    return {
      appId,
      appKey: app.appKey,
      topic,
      subscribers: entry.subs.size,
      messagesPerSec: entry.rate,
      nodes: [{ nodeId: this.hub.nodeId, subscribers: entry.subs.size }],
    } as TopicSummary & { nodes: Array<{ nodeId: string; subscribers: number }> };
  }

  tail(appId: string, topic: string, listener: (m: TailedMessage) => void): () => void {
    return this.hub.tap(appId, topic, listener);
  }
}

/** Connections of the single process, straight from its hub's indexes. */
export class LocalConnectionDirectory implements ConnectionDirectory {
  constructor(private readonly hub: Hub) {}

  async find(
    q: ConnectionQuery,
  ): Promise<{ items: ConnectionSummary[]; nextCursor: string | null; total: number | null }> {
    return mergeConnectionPages([findNodeConnections(this.hub, q)], q.limit);
  }

  async get(clientId: string): Promise<ConnectionDetails | null> {
    return nodeConnection(this.hub, clientId);
  }
}
