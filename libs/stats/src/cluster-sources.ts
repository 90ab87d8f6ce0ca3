import type {
  ConnectionDetails,
  ConnectionDirectory,
  ConnectionQuery,
  ConnectionSummary,
  LiveStats,
  TailedMessage,
  TopicDirectory,
  TopicQuery,
  TopicSummary,
} from '@beacon/admin';
import type { StatsHistory, StatsSnapshot } from '@beacon/admin-api';
import type { cluster } from '@beacon/contracts';
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import type { StatsClient } from './grpc-client.js';
import { SAMPLE_INTERVAL_MS } from './local-live-stats.js';
import {
  detailsFromProto,
  historyFromProto,
  snapshotFromProto,
  summaryFromProto,
  topicRowFromProto,
} from './proto-convert.js';
import { StatsRing } from './ring.js';
import { systemStatsClock, type StatsClock } from './timers.js';

type Unary<Req, Res> = (
  req: Req,
  metadata: ReturnType<StatsClient['metadata']>,
  options: { deadline: Date },
  cb: (err: ServiceError | null, res: Res) => void,
) => unknown;

function call<Req, Res>(rpc: StatsClient, method: Unary<Req, Res>, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(rpc.client, req, rpc.metadata(), { deadline: rpc.deadline() }, (err, res) =>
      err === null ? resolve(res) : reject(err),
    );
  });
}

/**
 * The push API's LiveStats: the topic-service's aggregate over WatchStats. ONE stream per process,
 * whatever the number of open dashboards: a plain one (totals, to keep the history ring current)
 * while no dashboard listens, swapped for a detailed one (top lists, per-app rows) while one does.
 * Each new stream starts with the topic-service's 15-minute history, which replaces the local ring.
 */
export class ClusterLiveStats implements LiveStats {
  private readonly ring = new StatsRing(SAMPLE_INTERVAL_MS);
  private readonly listeners = new Set<(s: StatsSnapshot) => void>();
  private stream: ClientReadableStream<cluster.StatsUpdate> | undefined;
  private streamDetailed = false;
  private stopped = true;
  private backoffMs = 200;
  private cancelRetry: (() => void) | undefined;

  constructor(
    private readonly rpc: StatsClient,
    private readonly clock: StatsClock = systemStatsClock,
  ) {}

  start(): void {
    this.stopped = false;
    this.open(false);
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
    this.close();
  }

  history(): StatsHistory {
    return this.ring.history();
  }

  subscribe(listener: (snapshot: StatsSnapshot) => void): () => void {
    const wrapped = (s: StatsSnapshot): void => listener(s);
    this.listeners.add(wrapped);
    if (!this.streamDetailed && !this.stopped) this.open(true);
    return () => {
      this.listeners.delete(wrapped);
      if (this.listeners.size === 0 && this.streamDetailed && !this.stopped) this.open(false);
    };
  }

  private open(detailed: boolean): void {
    this.close();
    this.streamDetailed = detailed;
    const stream = this.rpc.client.watchStats({ detailed }, this.rpc.metadata());
    this.stream = stream;
    stream.on('data', (u: cluster.StatsUpdate) => {
      if (stream !== this.stream) return;
      this.backoffMs = 200;
      if (u.history !== undefined) this.ring.load(historyFromProto(u.history));
      if (u.snapshot !== undefined) this.snapshot(snapshotFromProto(u.snapshot));
    });
    const lost = (): void => {
      if (stream !== this.stream) return;
      this.stream = undefined;
      if (this.stopped) return;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(5_000, this.backoffMs * 2);
      this.cancelRetry = this.clock.after(delay, () => {
        if (!this.stopped && this.stream === undefined) this.open(this.listeners.size > 0);
      });
    };
    stream.on('error', lost);
    stream.on('end', lost);
  }

  private close(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s === undefined) return;
    s.removeAllListeners('data');
    s.on('error', () => undefined);
    s.cancel();
  }

  private snapshot(s: StatsSnapshot): void {
    this.ring.push(s);
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {
        // One viewer's failure does not stop the others.
      }
    }
  }
}

/** Topics of the cluster: the topic-service ranks what the gateways report, taps on the gateways. */
export class ClusterTopicDirectory implements TopicDirectory {
  constructor(private readonly rpc: StatsClient) {}

  async list(q: TopicQuery): Promise<{ items: TopicSummary[]; total: number | null }> {
    const r = await call(this.rpc, this.rpc.client.listTopicStats, {
      appId: q.appId ?? '',
      prefix: q.prefix ?? '',
      sort: q.sort,
      offset: q.offset,
      limit: q.limit,
    });
    return { items: r.items.map(topicRowFromProto), total: r.hasTotal ? Number(r.total) : null };
  }

  async detail(
    appId: string,
    topic: string,
  ): Promise<(TopicSummary & { nodes: Array<{ nodeId: string; subscribers: number }> }) | null> {
    const r = await call(this.rpc, this.rpc.client.getTopic, { appId, topic });
    if (r.topic === undefined) return null;
    return {
      ...topicRowFromProto(r.topic),
      nodes: r.nodes.map((n) => ({ nodeId: n.nodeId, subscribers: Number(n.subscribers) })),
    };
  }

  tail(appId: string, topic: string, listener: (m: TailedMessage) => void): () => void {
    const stream = this.rpc.client.tailTopic({ appId, topic }, this.rpc.metadata());
    stream.on('data', (m: cluster.TailedMessage) =>
      listener({ id: m.id, ts: Number(m.ts), dataJson: m.dataJson }),
    );
    stream.on('error', () => undefined);
    return () => stream.cancel();
  }
}

/** Connections of the cluster: the topic-service asks the gateways and merges their pages. */
export class ClusterConnectionDirectory implements ConnectionDirectory {
  constructor(private readonly rpc: StatsClient) {}

  async find(
    q: ConnectionQuery,
  ): Promise<{ items: ConnectionSummary[]; nextCursor: string | null; total: number | null }> {
    const r = await call(this.rpc, this.rpc.client.findConnections, {
      appId: q.appId ?? '',
      userId: q.userId ?? '',
      clientId: q.clientId ?? '',
      topic: q.topic ?? '',
      cursor: q.cursor ?? '',
      limit: q.limit,
    });
    return {
      items: r.items.map(summaryFromProto),
      nextCursor: r.nextCursor === '' ? null : r.nextCursor,
      total: Number(r.total),
    };
  }

  async get(clientId: string): Promise<ConnectionDetails | null> {
    const r = await call(this.rpc, this.rpc.client.getConnection, { clientId });
    return r.connection === undefined ? null : detailsFromProto(r.connection);
  }
}
