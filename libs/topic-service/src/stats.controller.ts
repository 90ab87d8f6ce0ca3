import { Controller, Inject, UseFilters } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import type { cluster } from '@beacon/contracts';
import {
  historyToProto,
  NodeProcessProbe,
  NodeSampler,
  snapshotToProto,
  StatsHub,
  StatsQueryRefused,
  systemStatsClock,
  type NodeCounters,
  type NodeSource,
} from '@beacon/stats';
import type { Metadata, ServerDuplexStream, ServerWritableStream } from '@grpc/grpc-js';
import { ClusterAuth } from './cluster-auth.js';
import { TopicRouter } from './topic-router.js';
import { TopicServiceExceptionFilter } from './topic-service.controller.js';
import { TopicServiceException } from './topic-service.exception.js';

type ReportCall = ServerDuplexStream<cluster.NodeReport, cluster.NodeQuery>;

/** A watcher or tail whose call holds more than this unsent is skipped until it drains (lossy, bounded). */
const MAX_WATCH_BACKLOG = 64;

/** The topic-service's own row: what it routed, and the distinct topics of the interest index. */
export class TopicServiceStatsSource implements NodeSource {
  readonly kind = 'topic-service';
  readonly nodeId: string;
  readonly startedAt = Date.now();

  constructor(
    private readonly router: TopicRouter,
    readonly address: string,
  ) {
    this.nodeId = `topic-service`;
  }

  counters(): NodeCounters {
    const c = this.router.counters();
    return {
      deliveries: 0,
      deliveredBytes: 0,
      publishes: c.beacon_topic_service_messages_routed_total ?? 0,
      closes: {},
    };
  }

  gauges(): { connections: number; subscriptions: number; topics: number } {
    return { connections: 0, subscriptions: 0, topics: this.router.index.distinctTopics };
  }
}

export function createStatsHub(router: TopicRouter, address = ''): StatsHub {
  // Topic listings count and rank by the interest table, which sums every gateway's subscribers.
  const topicCounts = {
    topics: (appId?: string) => router.index.allTopicSums(appId),
    subscribers: (appId: string, topic: string) => router.index.topicSubscribers(appId, topic),
  };
  return new StatsHub(
    new NodeSampler(new TopicServiceStatsSource(router, address), new NodeProcessProbe()),
    systemStatsClock,
    { topicCounts },
  );
}

/** gRPC adapter of the StatsHub: ReportStats from the nodes, WatchStats and the directories for push APIs. */
@Controller()
@UseFilters(TopicServiceExceptionFilter)
export class StatsController {
  constructor(
    @Inject(StatsHub) private readonly hub: StatsHub,
    @Inject(ClusterAuth) private readonly auth: ClusterAuth,
  ) {}

  @GrpcStreamCall('TopicService', 'ReportStats')
  reportStats(call: ReportCall): void {
    if (!this.auth.allows(call.metadata)) {
      const e = new TopicServiceException('unauthenticated', 'missing or wrong cluster token');
      call.emit('error', { code: e.grpcStatus, details: e.message });
      return;
    }
    let open = true;
    const session = this.hub.connect({
      write: (q) => {
        if (!open || call.writableLength > 1_000) return false;
        call.write(q);
        return true;
      },
      close: () => {
        if (!open) return;
        open = false;
        if (!call.writableEnded && !call.destroyed) call.end();
      },
    });
    const gone = (): void => {
      open = false;
      session.ended();
    };
    call.on('data', (r: cluster.NodeReport) => session.receive(r));
    call.on('end', gone);
    call.on('error', gone);
    call.on('cancelled', gone);
    call.on('close', gone);
  }

  @GrpcMethod('TopicService', 'WatchStats')
  watchStats(
    req: cluster.WatchStatsRequest,
    metadata: Metadata,
    call: ServerWritableStream<cluster.WatchStatsRequest, cluster.StatsUpdate>,
  ): Observable<cluster.StatsUpdate> {
    this.auth.check(metadata);
    return new Observable<cluster.StatsUpdate>((sub) => {
      sub.next({ history: historyToProto(this.hub.history()) });
      const stop = this.hub.watch(req.detailed === true, (s) => {
        if (call.writableLength <= MAX_WATCH_BACKLOG) sub.next({ snapshot: snapshotToProto(s) });
      });
      return stop;
    });
  }

  @GrpcMethod('TopicService', 'FindConnections')
  findConnections(
    req: cluster.FindConnectionsRequest,
    metadata: Metadata,
  ): Promise<cluster.FindConnectionsReply> {
    this.auth.check(metadata);
    return refusedAs(() =>
      this.hub.findConnections(strings(req, ['appId', 'userId', 'clientId', 'topic', 'cursor'])),
    );
  }

  @GrpcMethod('TopicService', 'GetConnection')
  getConnection(req: cluster.GetConnectionRequest, metadata: Metadata): Promise<cluster.GetConnectionReply> {
    this.auth.check(metadata);
    return refusedAs(() => this.hub.getConnection(String(req.clientId ?? '')));
  }

  @GrpcMethod('TopicService', 'ListTopicStats')
  listTopicStats(
    req: cluster.ListTopicStatsRequest,
    metadata: Metadata,
  ): Promise<cluster.ListTopicStatsReply> {
    this.auth.check(metadata);
    return refusedAs(() => this.hub.listTopics(strings(req, ['appId', 'prefix', 'sort'])));
  }

  @GrpcMethod('TopicService', 'GetTopic')
  getTopic(req: cluster.GetTopicRequest, metadata: Metadata): Promise<cluster.GetTopicReply> {
    this.auth.check(metadata);
    return refusedAs(() => this.hub.getTopic(String(req.appId ?? ''), String(req.topic ?? '')));
  }

  @GrpcMethod('TopicService', 'TailTopic')
  tailTopic(
    req: cluster.TailTopicRequest,
    metadata: Metadata,
    call: ServerWritableStream<cluster.TailTopicRequest, cluster.TailedMessage>,
  ): Observable<cluster.TailedMessage> {
    this.auth.check(metadata);
    return new Observable<cluster.TailedMessage>((sub) =>
      this.hub.tail(String(req.appId ?? ''), String(req.topic ?? ''), (m) => {
        if (call.writableLength <= MAX_WATCH_BACKLOG) sub.next(m);
      }),
    );
  }
}

/** The request with its string fields made strings (proto-loader may leave them unset). */
function strings<T extends object>(req: T, keys: ReadonlyArray<keyof T>): T {
  const out = { ...req };
  for (const k of keys) (out as Record<keyof T, unknown>)[k] = String(req[k] ?? '');
  return out;
}

async function refusedAs<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StatsQueryRefused) throw new TopicServiceException('too_large', err.message);
    throw err;
  }
}
