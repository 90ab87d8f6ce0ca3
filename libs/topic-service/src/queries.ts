import type { cluster } from '@beacon/contracts';
import { EMPTY_GATEWAY_STATS } from './gateway-registry.js';
import { DEFAULT_LIST_LIMIT, requireValid } from './limits.js';
import type { RouterState } from './router-state.js';
import type { TopicHistory } from './topic-history.js';
import type { TopicPresence } from './topic-presence.js';

/** The read side: counts summed over the interest index, the cluster's gateways, presence, history. */
export class TopicQueries {
  constructor(
    private readonly s: RouterState,
    private readonly historyBook: TopicHistory,
    private readonly presenceBook: TopicPresence,
  ) {}

  topicPresence(req: cluster.TopicPresenceRequest): cluster.TopicPresenceReply {
    const { appId, topic } = this.historyBook.check(req.appId, req.topic, 0);
    const limit = req.limit ? Math.min(req.limit, this.s.limits.maxListLimit) : DEFAULT_LIST_LIMIT;
    return { members: this.presenceBook.members(appId, topic, limit) };
  }

  topicPresenceStats(req: cluster.TopicPresenceRequest): cluster.TopicPresenceStatsReply {
    const { appId, topic } = this.historyBook.check(req.appId, req.topic, 0);
    return this.presenceBook.stats(appId, topic);
  }

  /** A history read for the push API: one page (cut by bytes: not recovered, read on from `position`). */
  history(req: cluster.HistoryRequest): cluster.HistoryReply {
    const { appId, topic, limit } = this.historyBook.check(req.appId, req.topic, req.limit);
    return this.historyBook.read(appId, topic, req.since, limit).reply;
  }

  topicSubscribers(req: cluster.TopicSubscribersRequest): cluster.TopicSubscribersReply {
    const { limits, index } = this.s;
    const appId = requireValid.appId(limits, req.appId);
    const topics = requireValid.topics(limits, req.topics, limits.maxTopicsPerQuery);
    return { topics: topics.map((topic) => ({ topic, subscribers: index.topicSubscribers(appId, topic) })) };
  }

  listTopics(req: cluster.ListTopicsRequest): cluster.ListTopicsReply {
    const { limits, index } = this.s;
    const appId = requireValid.appId(limits, req.appId);
    const prefix = req.prefix ?? '';
    if (prefix.length > limits.maxTopicLength) throw requireValid.invalid('prefix: too long');
    const limit = req.limit ? Math.min(req.limit, limits.maxListLimit) : DEFAULT_LIST_LIMIT;
    return { topics: index.topTopics(appId, prefix, limit) };
  }

  presence(req: cluster.PresenceRequest): cluster.PresenceReply {
    const { limits, index } = this.s;
    const appId = requireValid.appId(limits, req.appId);
    const connections = index.userConnections(appId, requireValid.userId(limits, req.userId));
    return { online: connections > 0, connections };
  }

  clusterStats(): cluster.ClusterStatsReply {
    const { registry, index, admissions, counters } = this.s;
    const gateways: cluster.GatewayInfo[] = [];
    for (const g of registry.all()) {
      gateways.push({
        nodeId: g.nodeId,
        address: g.address,
        attachedAt: g.attachedAt,
        lastSeen: g.lastSeen,
        stats: g.stats ?? EMPTY_GATEWAY_STATS,
        topics: index.topicCount(g),
        connectionSlots: admissions.slotsOf(g),
      });
    }
    return { gateways, messagesRoutedTotal: counters.routed.value, deliveriesSentTotal: counters.sent.value };
  }
}
