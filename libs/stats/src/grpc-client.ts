import { cluster } from '@beacon/contracts';
import { credentials, Metadata } from '@grpc/grpc-js';

/** Keep-alive pings so a dead topic-service is noticed even when nothing is in flight. */
const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

export interface TopicServiceClientOptions {
  /** host:port of the topic-service. */
  topicServiceUrl: string;
  /** The shared cluster token (BEACON_CLUSTER_TOKEN). */
  clusterToken?: string;
  /** Deadline of the directory calls, ms (the topic-service's own fan-out deadline is shorter). */
  deadlineMs?: number;
}

export interface StatsClient {
  client: cluster.TopicServiceClient;
  metadata(): Metadata;
  deadline(): Date;
  close(): void;
}

export function statsClient(opts: TopicServiceClientOptions): StatsClient {
  const client = new cluster.TopicServiceClient(
    opts.topicServiceUrl,
    credentials.createInsecure(),
    CHANNEL_OPTIONS,
  );
  const token = opts.clusterToken === '' ? undefined : opts.clusterToken;
  const deadlineMs = opts.deadlineMs ?? 5_000;
  return {
    client,
    metadata() {
      const m = new Metadata();
      if (token !== undefined) m.set('authorization', `Bearer ${token}`);
      return m;
    },
    deadline: () => new Date(Date.now() + deadlineMs),
    close: () => client.close(),
  };
}
