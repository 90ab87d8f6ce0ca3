import type { ClientGateway } from '@beacon/gateway';
import { ClusterConnectionDirectory, ClusterLiveStats, ClusterTopicDirectory } from './cluster-sources.js';
import { StatsReporter } from './cluster-reporter.js';
import { statsClient, type TopicServiceClientOptions } from './grpc-client.js';
import { HubSource } from './hub-source.js';
import type { AdminSources } from './local.js';
import { NodeProcessProbe } from './process-probe.js';
import { NodeSampler, type NodeCounters, type NodeSource } from './sampler.js';
import { systemStatsClock, type StatsClock } from './timers.js';

/** A process that holds no connections (a push API): its row shows memory and event-loop delay. */
export class ProcessOnlySource implements NodeSource {
  constructor(
    readonly nodeId: string,
    readonly kind: 'push-api' | 'topic-service',
    readonly address: string,
    readonly startedAt: number,
  ) {}

  counters(): NodeCounters {
    return { deliveries: 0, deliveredBytes: 0, publishes: 0, closes: {} };
  }

  gauges(): { connections: number; subscriptions: number; topics: number } {
    return { connections: 0, subscriptions: 0, topics: 0 };
  }
}

/**
 * A gateway of the split deployment reports to the topic-service: a sample a second and answers to
 * the dashboard's directory queries. Returns the stop function (call it before the gateway closes).
 */
export function gatewayStatsReporter(
  gateway: ClientGateway,
  opts: TopicServiceClientOptions & { address?: string; clock?: StatsClock },
): { stop(): void } {
  const clock = opts.clock ?? systemStatsClock;
  const rpc = statsClient(opts);
  const source = new HubSource(gateway, 'gateway', opts.address ?? '', clock.now());
  const reporter = new StatsReporter(
    rpc,
    new NodeSampler(source, new NodeProcessProbe()),
    { hub: gateway.hub, rates: source.rates },
    clock,
  );
  reporter.start();
  return {
    stop() {
      reporter.stop();
      rpc.close();
    },
  };
}

/**
 * The admin ports for the push API of a cluster: LiveStats over the topic-service's WatchStats,
 * directories as topic-service calls (fanned out to the gateways there, with a deadline). The push API
 * also reports its own row (memory, event-loop delay) on a ReportStats stream.
 */
export function clusterAdminSources(
  opts: TopicServiceClientOptions & { nodeId: string; address?: string; clock?: StatsClock },
): AdminSources {
  const clock = opts.clock ?? systemStatsClock;
  const rpc = statsClient(opts);
  const liveStats = new ClusterLiveStats(rpc, clock);
  const reporter = new StatsReporter(
    rpc,
    new NodeSampler(
      new ProcessOnlySource(opts.nodeId, 'push-api', opts.address ?? '', clock.now()),
      new NodeProcessProbe(),
    ),
    null,
    clock,
  );
  liveStats.start();
  reporter.start();
  return {
    liveStats,
    topics: new ClusterTopicDirectory(rpc),
    connections: new ClusterConnectionDirectory(rpc),
    stop() {
      liveStats.stop();
      reporter.stop();
      rpc.close();
    },
  };
}
