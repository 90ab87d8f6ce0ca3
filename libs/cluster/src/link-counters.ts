import type { cluster } from '@beacon/contracts';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import { CloseCode } from '@beacon/protocol';
import type { NodeStats } from '@beacon/routing';

/** The gateway link's counters (`beacon_cluster_*`), read by `/metrics` and by the heartbeat. */
export interface LinkCounters {
  readonly received: Counter;
  readonly sentPublishes: Counter;
  readonly dropped: Counter;
  readonly notSent: Counter;
  readonly reconnects: Counter;
}

/** Registers the link's counters and its gauges (read on demand from the link's state). */
export function linkCounters(
  metrics: MetricsRegistry,
  read: { attached(): boolean; buffered(): number; bufferedBytes(): number },
): LinkCounters {
  metrics.gauge('beacon_cluster_attached', '1 while attached to the topic-service', () =>
    read.attached() ? 1 : 0,
  );
  metrics.gauge(
    'beacon_cluster_publishes_buffered',
    'Messages waiting for the Attach stream (held, or in the stream and not yet sent)',
    () => read.buffered(),
  );
  metrics.gauge(
    'beacon_cluster_publishes_buffered_bytes',
    'Bytes of the messages waiting for the Attach stream',
    () => read.bufferedBytes(),
  );
  return {
    received: metrics.counter(
      'beacon_cluster_messages_received_total',
      'Messages the topic-service routed to this gateway',
    ),
    sentPublishes: metrics.counter(
      'beacon_cluster_publishes_sent_total',
      'Client publishes queued for the topic-service (one stream message per publish)',
    ),
    dropped: metrics.counter(
      'beacon_cluster_publishes_refused_total',
      'Client publishes refused: the stream queue was full (topic-service unreachable or not reading)',
    ),
    notSent: metrics.counter(
      'beacon_cluster_stream_dropped_total',
      'Command results, admission requests and heartbeats not sent because the stream queue was full',
    ),
    reconnects: metrics.counter(
      'beacon_cluster_reconnects_total',
      'Times the link to the topic-service was re-established',
    ),
  };
}

/** What a heartbeat tells the topic-service: the node's own stats and the link's. */
export function heartbeatStats(
  node: NodeStats,
  counters: LinkCounters,
  queue: { readonly count: number; readonly bytes: number },
): cluster.GatewayStats {
  return {
    connections: node.connections,
    topics: node.topics,
    deliveriesTotal: node.deliveries,
    messagesRoutedTotal: node.messagesRouted,
    remoteMessagesTotal: counters.received.value,
    slowConsumersTotal: node.serverCloses[CloseCode.SlowConsumer],
    publishBuffered: queue.count,
    publishDroppedTotal: counters.dropped.value,
    publishBufferedBytes: queue.bytes,
  };
}
