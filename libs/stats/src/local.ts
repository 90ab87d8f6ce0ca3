import type { ConnectionDirectory, LiveStats, TopicDirectory } from '@beacon/admin';
import type { ClientGateway } from '@beacon/gateway';
import { HubSource } from './hub-source.js';
import { LocalConnectionDirectory, LocalTopicDirectory } from './local-directories.js';
import { LocalLiveStats } from './local-live-stats.js';
import { NodeProcessProbe } from './process-probe.js';
import { NodeSampler } from './sampler.js';
import { systemStatsClock, type StatsClock } from './timers.js';

export interface AdminSources {
  liveStats: LiveStats;
  topics: TopicDirectory;
  connections: ConnectionDirectory;
  /** Stops the sampler's timer (the composition root calls it on shutdown). */
  stop(): void;
}

/**
 * The admin ports for the single process (apps/beacon): one sampler over the gateway's hub (its
 * `stats()` and per-app counters), started at once (the history ring fills from boot), and directories over the hub.
 */
export function localAdminSources(
  gateway: ClientGateway,
  opts: { address?: string; clock?: StatsClock } = {},
): AdminSources {
  const clock = opts.clock ?? systemStatsClock;
  const source = new HubSource(gateway, 'single', opts.address ?? '', clock.now());
  const liveStats = new LocalLiveStats(new NodeSampler(source, new NodeProcessProbe()), clock);
  liveStats.start();
  return {
    liveStats,
    topics: new LocalTopicDirectory(gateway.hub, source.rates, clock),
    connections: new LocalConnectionDirectory(gateway.hub),
    stop: () => liveStats.stop(),
  };
}
