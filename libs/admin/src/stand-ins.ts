import type { StatsHistory } from '@beacon/admin-api';
import type { ConnectionDirectory, LiveStats, TopicDirectory } from './ports.js';

/**
 * STAND-INS, not the product: ports that report nothing (no topics, no connections, an empty history and
 * no snapshots), wired until the real implementations of LIVE_STATS, TOPIC_DIRECTORY and
 * CONNECTION_DIRECTORY (libs/stats) replace them in apps/beacon and apps/push-api.
 */
export function standInPorts(): {
  liveStats: LiveStats;
  topics: TopicDirectory;
  connections: ConnectionDirectory;
} {
  const history: StatsHistory = {
    intervalMs: 1000,
    ts: [],
    deliveriesPerSec: [],
    publishesPerSec: [],
    connections: [],
    bytesOutPerSec: [],
    closesPerSec: {},
  };
  return {
    liveStats: { history: () => history, subscribe: () => () => undefined },
    topics: {
      list: async () => ({ items: [], total: 0 }),
      detail: async () => null,
      tail: () => () => undefined,
    },
    connections: {
      find: async () => ({ items: [], nextCursor: null, total: 0 }),
      get: async () => null,
    },
  };
}
