import type { ConnectionDirectory, LiveStats, TopicDirectory } from './ports.js';

export interface AdminPorts {
  liveStats: LiveStats;
  topics: TopicDirectory;
  connections: ConnectionDirectory;
}

/**
 * The admin ports for a composition root whose sources exist only after the Nest application does (the
 * single process: the stats sources read the gateway, which Nest creates). The admin module gets these
 * delegates up front; `bind` hands them the real sources once the application is built, before it listens.
 */
export function lateBoundPorts(): { ports: AdminPorts; bind(sources: AdminPorts): void } {
  let real: AdminPorts | null = null;
  const get = (): AdminPorts => {
    if (real === null) throw new Error('admin ports used before the application was built');
    return real;
  };
  return {
    bind(sources) {
      real = sources;
    },
    ports: {
      liveStats: {
        history: () => get().liveStats.history(),
        subscribe: (listener) => get().liveStats.subscribe(listener),
      },
      topics: {
        list: (q) => get().topics.list(q),
        detail: (appId, topic) => get().topics.detail(appId, topic),
        tail: (appId, topic, listener) => get().topics.tail(appId, topic, listener),
      },
      connections: {
        find: (q) => get().connections.find(q),
        get: (clientId) => get().connections.get(clientId),
      },
    },
  };
}
