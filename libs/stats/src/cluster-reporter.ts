import type { cluster } from '@beacon/contracts';
import type { Hub } from '@beacon/gateway';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { findNodeConnections, nodeConnection } from './connection-query.js';
import { connectionToProto } from './proto-convert.js';
import type { StatsClient } from './grpc-client.js';
import { SAMPLE_INTERVAL_MS } from './local-live-stats.js';
import type { NodeSampler } from './sampler.js';
import { rankNodeTopics } from './topic-query.js';
import type { TopicRates } from './topic-rates.js';
import { systemStatsClock, type StatsClock } from './timers.js';

type Stream = ClientDuplexStream<cluster.NodeReport, cluster.NodeQuery>;

/** Past this many bytes waiting in the stream, samples and tail messages are skipped (answers still go). */
const MAX_BACKLOG_BYTES = 1 << 20;

/**
 * One node's ReportStats stream to the topic-service: `hello`, then a sample a second (detailed while
 * the topic-service says someone watches), answers to directory queries over this gateway's hub, and
 * the messages of tapped topics. Reconnects with backoff; never holds more than MAX_BACKLOG_BYTES.
 */
export class StatsReporter {
  private stream: Stream | undefined;
  private stopped = false;
  private backoffMs = 200;
  private stopTimer: (() => void) | undefined;
  private cancelReconnect: (() => void) | undefined;
  private readonly taps = new Map<number, () => void>();

  constructor(
    private readonly rpc: StatsClient,
    private readonly sampler: NodeSampler,
    /** The gateway's hub and rates (null for a push API: it reports, it is never asked). */
    private readonly local: { hub: Hub; rates: TopicRates } | null,
    private readonly clock: StatsClock = systemStatsClock,
  ) {}

  start(): void {
    this.stopped = false;
    this.sampler.sample(this.clock.now());
    this.stopTimer = this.clock.every(SAMPLE_INTERVAL_MS, () => this.report());
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.stopTimer?.();
    this.cancelReconnect?.();
    this.lost(this.stream);
  }

  private connect(): void {
    if (this.stopped) return;
    const stream = this.rpc.client.reportStats(this.rpc.metadata());
    this.stream = stream;
    stream.on('data', (q: cluster.NodeQuery) => {
      if (stream === this.stream) this.query(stream, q);
    });
    stream.on('error', () => this.lost(stream));
    stream.on('end', () => this.lost(stream));
    const s = this.sampler.source;
    stream.write({ hello: { nodeId: s.nodeId, kind: s.kind, address: s.address, startedAt: s.startedAt } });
  }

  private lost(stream: Stream | undefined): void {
    if (stream === undefined || stream !== this.stream) return;
    this.stream = undefined;
    for (const stop of this.taps.values()) stop();
    this.taps.clear();
    this.sampler.detailed = false;
    stream.removeAllListeners('data');
    stream.on('error', () => undefined);
    stream.cancel();
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(2_000, this.backoffMs * 2);
    this.cancelReconnect = this.clock.after(delay, () => this.connect());
  }

  private report(): void {
    const stats = this.sampler.sample(this.clock.now());
    const stream = this.stream;
    if (stream === undefined || stream.writableLength > MAX_BACKLOG_BYTES) return;
    this.backoffMs = 200;
    stream.write({ stats });
  }

  private query(stream: Stream, q: cluster.NodeQuery): void {
    if (q.mode !== undefined) {
      this.sampler.detailed = q.mode.detailed;
      return;
    }
    const local = this.local;
    if (local === null) return;
    const requestId = q.requestId;
    if (q.tailStop !== undefined) {
      this.taps.get(Number(q.tailStop))?.();
      this.taps.delete(Number(q.tailStop));
      return;
    }
    if (q.tailStart !== undefined) {
      const id = Number(requestId);
      if (this.taps.has(id) || this.taps.size >= 100) return;
      const stop = local.hub.tap(q.tailStart.appId, q.tailStart.topic, (m) => {
        if (stream === this.stream && stream.writableLength <= MAX_BACKLOG_BYTES)
          stream.write({ tail: { tailId: id, message: m } });
      });
      this.taps.set(id, stop);
      return;
    }
    stream.write({ answer: this.answer(local, q) });
  }

  private answer(local: { hub: Hub; rates: TopicRates }, q: cluster.NodeQuery): cluster.QueryAnswer {
    const a: cluster.QueryAnswer = {
      requestId: q.requestId,
      connections: undefined,
      connection: undefined,
      topics: undefined,
      topic: undefined,
    };
    const opt = (s: string): string | undefined => (s === '' ? undefined : s);
    if (q.findConnections !== undefined) {
      const f = q.findConnections;
      const page = findNodeConnections(local.hub, {
        appId: opt(f.appId),
        userId: opt(f.userId),
        clientId: opt(f.clientId),
        topic: opt(f.topic),
        cursor: opt(f.cursor),
        limit: Math.max(1, Math.min(500, f.limit)),
      });
      a.connections = {
        items: page.items.map((c) => connectionToProto({ ...c, appKey: local.hub.appView(c.appId)?.appKey })),
        nextCursor: '',
        total: page.total,
      };
    } else if (q.getConnection !== undefined) {
      const c = nodeConnection(local.hub, q.getConnection.clientId);
      a.connection = { connection: c === null ? undefined : connectionToProto(c) };
    } else if (q.listTopics !== undefined) {
      const l = q.listTopics;
      const ranking = rankNodeTopics(
        local.hub,
        local.rates,
        {
          appId: opt(l.appId),
          prefix: opt(l.prefix),
          sort: l.sort === 'rate' ? 'rate' : 'subscribers',
          offset: Math.min(l.offset, 10_000),
          limit: Math.max(1, Math.min(500, l.limit)),
        },
        this.clock.now(),
      );
      a.topics = { items: ranking.items, total: ranking.total, hasTotal: true };
    } else if (q.getTopic !== undefined) {
      const { appId, topic } = q.getTopic;
      local.rates.fresh(this.clock.now());
      const app = local.hub.appView(appId);
      const entry = app?.topics.get(topic);
      a.topic =
        app === undefined || entry === undefined
          ? { topic: undefined, nodes: [] }
          : {
              topic: {
                appId,
                appKey: app.appKey,
                topic,
                subscribers: entry.subs.size,
                messagesPerSec: entry.rate,
              },
              nodes: [{ nodeId: local.hub.nodeId, subscribers: entry.subs.size }],
            };
    }
    return a;
  }
}
