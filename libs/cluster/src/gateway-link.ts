import { Logger } from '@nestjs/common';
import { cluster } from '@beacon/contracts';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import {
  IdSequence,
  type DirectReceipt,
  type DisconnectTarget,
  type GatewayNode,
  type InterestCount,
  type InterestListener,
  type Presence,
  type PublishReceipt,
  type Router,
  type TopicCount,
} from '@beacon/routing';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { ClusterRouter } from './cluster.router.js';
import { messageToProto, outboundFromProto, targetFromProto } from './convert.js';

export interface GatewayLinkOptions {
  /** host:port of the topic-service. */
  topicServiceUrl: string;
  nodeId: string;
  /** Where clients reach this gateway; informational. */
  address?: string;
  /** Cross-node client publishes held while the topic-service is unreachable; past it publishes are refused. */
  maxBufferedPublishes?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Deadline of unary calls (counts, presence, direct sends made from this gateway). */
  deadlineMs?: number;
  /** The shared cluster token (BEACON_CLUSTER_TOKEN). */
  clusterToken?: string;
}

type Stream = ClientDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>;

export class ClusterUnavailable extends Error {}

/**
 * A gateway's Router in the split deployment. One bidirectional stream to the topic-service carries
 * this node's interest (a full snapshot on every attach, coalesced deltas after), client publishes,
 * heartbeats and command results one way, and deliveries and commands the other.
 *
 * While the topic-service is unreachable clients stay connected and local delivery goes on; client
 * publishes for other nodes wait in a bounded buffer (refused with `unavailable` once it is full) and
 * the link reconnects with backoff. On reconnect it re-sends its whole interest, so every existing
 * subscriber receives again without doing anything.
 */
export class GatewayLink implements Router, InterestListener {
  private readonly logger = new Logger('GatewayLink');
  private readonly unary: ClusterRouter;
  private readonly ids: IdSequence;
  private node: GatewayNode | undefined;
  private stream: Stream | undefined;
  private attached = false;
  private stopped = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly buffer: cluster.Message[] = [];
  private readonly pendingTopics = new Map<string, cluster.InterestEntry>();
  private readonly pendingUsers = new Map<string, cluster.InterestEntry>();
  private deltaScheduled = false;
  private failures = 0;
  private readonly received: Counter;
  private readonly sentPublishes: Counter;
  private readonly dropped: Counter;
  private readonly reconnects: Counter;
  private readonly maxBuffered: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;

  constructor(
    private readonly options: GatewayLinkOptions,
    private readonly metrics: MetricsRegistry,
  ) {
    this.unary = new ClusterRouter({
      topicServiceUrl: options.topicServiceUrl,
      deadlineMs: options.deadlineMs,
      clusterToken: options.clusterToken,
    });
    this.ids = new IdSequence(`m${options.nodeId}`);
    this.maxBuffered = options.maxBufferedPublishes ?? 10_000;
    this.minBackoff = options.reconnectMinMs ?? 100;
    this.maxBackoff = options.reconnectMaxMs ?? 2_000;
    this.backoffMs = this.minBackoff;
    this.received = metrics.counter(
      'beacon_cluster_messages_received_total',
      'Messages the topic-service routed to this gateway',
    );
    this.sentPublishes = metrics.counter(
      'beacon_cluster_publishes_sent_total',
      'Client publishes sent to the topic-service',
    );
    this.dropped = metrics.counter(
      'beacon_cluster_publishes_refused_total',
      'Client publishes refused: topic-service unreachable and the buffer full',
    );
    this.reconnects = metrics.counter(
      'beacon_cluster_reconnects_total',
      'Times the link to the topic-service was re-established',
    );
    metrics.gauge('beacon_cluster_attached', '1 while attached to the topic-service', () =>
      this.attached ? 1 : 0,
    );
    metrics.gauge(
      'beacon_cluster_publishes_buffered',
      'Client publishes waiting for the topic-service',
      () => this.buffer.length,
    );
  }

  get isAttached(): boolean {
    return this.attached;
  }

  attach(node: GatewayNode): void {
    this.node = node;
    this.stopped = false;
    node.watchInterest(this);
    this.connect();
  }

  detach(node: GatewayNode): void {
    if (this.node !== node) return;
    this.stopped = true;
    node.watchInterest(undefined);
    clearTimeout(this.reconnectTimer);
    this.lost(this.stream);
    this.stream?.end();
    this.unary.close();
  }

  // ---- interest: coalesced per event-loop turn into one delta ----

  topicInterest(appId: string, topic: string, count: number): void {
    this.pendingTopics.set(`${appId}\u0000${topic}`, { appId, key: topic, count });
    this.scheduleDelta();
  }

  userInterest(appId: string, userId: string, count: number): void {
    this.pendingUsers.set(`${appId}\u0000${userId}`, { appId, key: userId, count });
    this.scheduleDelta();
  }

  private scheduleDelta(): void {
    if (this.deltaScheduled || this.stream === undefined) return;
    this.deltaScheduled = true;
    setImmediate(() => {
      this.deltaScheduled = false;
      if (this.stream === undefined || (this.pendingTopics.size === 0 && this.pendingUsers.size === 0))
        return;
      this.stream.write({
        delta: { topics: [...this.pendingTopics.values()], users: [...this.pendingUsers.values()] },
      });
      this.pendingTopics.clear();
      this.pendingUsers.clear();
    });
  }

  // ---- the stream ----

  private connect(): void {
    const node = this.node;
    if (node === undefined || this.stopped) return;
    const stream = this.unary.client.attach(this.unary.metadata());
    this.stream = stream;
    stream.on('data', (m: cluster.RouterMessage) => this.onMessage(stream, m));
    stream.on('error', (err: Error) => {
      // One warning per outage, not one per retry.
      if (this.attached || this.failures++ === 0)
        this.logger.warn(`topic-service stream failed: ${err.message}`);
      this.lost(stream);
    });
    stream.on('end', () => this.lost(stream));
    stream.write({ register: { nodeId: this.options.nodeId, address: this.options.address ?? '' } });
    // The snapshot supersedes any delta not yet sent.
    this.pendingTopics.clear();
    this.pendingUsers.clear();
    const { topics, users } = node.interest();
    stream.write({ snapshot: { topics: topics.map(entry), users: users.map(entry) } });
  }

  private onMessage(stream: Stream, m: cluster.RouterMessage): void {
    const node = this.node;
    if (stream !== this.stream || node === undefined) return;
    if (m.registered !== undefined) {
      const wasAttached = this.attached;
      this.failures = 0;
      this.attached = true;
      this.backoffMs = this.minBackoff;
      if (!wasAttached) this.logger.log(`attached to topic-service at ${this.options.topicServiceUrl}`);
      this.startHeartbeat(stream, m.registered.heartbeatIntervalMs);
      for (const msg of this.buffer.splice(0)) stream.write({ publish: msg });
    } else if (m.message !== undefined) {
      const target = targetFromProto(m.message.target);
      if (target === null) return;
      this.received.value++;
      node.deliver(target, outboundFromProto(m.message));
    } else if (m.command !== undefined) {
      const c = m.command;
      let count = 0;
      if (c.send !== undefined) {
        const target = targetFromProto(c.send.target);
        if (target !== null) count = node.deliver(target, outboundFromProto(c.send));
      } else if (c.disconnect !== undefined) {
        const d = c.disconnect;
        const who: DisconnectTarget | null =
          d.clientId !== undefined && d.clientId !== ''
            ? { clientId: d.clientId }
            : d.userId
              ? { userId: d.userId }
              : null;
        if (who !== null) count = node.disconnect(d.appId, who);
      }
      stream.write({ result: { requestId: c.requestId, count } });
    }
  }

  private startHeartbeat(stream: Stream, intervalMs: number): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(
      () => {
        if (stream !== this.stream) return;
        const s = this.metrics.snapshot();
        stream.write({
          heartbeat: {
            stats: {
              connections: s.beacon_connections ?? 0,
              topics: s.beacon_topics ?? 0,
              deliveriesTotal: s.beacon_deliveries_total ?? 0,
              messagesRoutedTotal: s.beacon_messages_routed_total ?? 0,
              remoteMessagesTotal: this.received.value,
              slowConsumersTotal: s.beacon_closed_4008_total ?? 0,
              publishBuffered: this.buffer.length,
              publishDroppedTotal: this.dropped.value,
            },
          },
        });
      },
      Math.max(100, intervalMs || 2_000),
    );
    this.heartbeatTimer.unref();
  }

  private lost(stream: Stream | undefined): void {
    if (stream === undefined || stream !== this.stream) return;
    this.stream = undefined;
    if (this.attached)
      this.logger.warn('detached from topic-service; delivering locally, buffering publishes');
    this.attached = false;
    clearInterval(this.heartbeatTimer);
    stream.removeAllListeners('data');
    stream.on('error', () => undefined);
    stream.cancel();
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoff, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnects.value++;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  // ---- Router ----

  /**
   * A client publish: delivered here at once, and sent (or buffered) for the other gateways. When the
   * topic-service is unreachable and the buffer is full, it is refused before anything is delivered.
   */
  async publish(appId: string, topics: readonly string[], dataJson: string): Promise<PublishReceipt> {
    const node = this.node;
    if (!this.attached && this.buffer.length + topics.length > this.maxBuffered) {
      this.dropped.value += topics.length;
      throw new ClusterUnavailable('topic-service unreachable and the publish buffer is full');
    }
    const id = this.ids.next();
    const ts = Date.now();
    for (const topic of topics) {
      const outbound = { appId, topic, dataJson, id, ts };
      node?.deliver({ kind: 'topic', topic }, outbound);
      const msg = messageToProto({ kind: 'topic', topic }, outbound);
      if (this.attached && this.stream !== undefined) {
        this.stream.write({ publish: msg });
        this.sentPublishes.value++;
      } else {
        this.buffer.push(msg);
      }
    }
    return { id, ts };
  }

  sendToUser(appId: string, userId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.unary.sendToUser(appId, userId, dataJson, topic);
  }

  sendToClient(appId: string, clientId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.unary.sendToClient(appId, clientId, dataJson, topic);
  }

  broadcast(appId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.unary.broadcast(appId, dataJson, topic);
  }

  disconnect(appId: string, target: DisconnectTarget): Promise<number> {
    return this.unary.disconnect(appId, target);
  }

  topicSubscribers(appId: string, topic: string): Promise<number> {
    return this.unary.topicSubscribers(appId, topic);
  }

  topics(appId: string, opts?: { prefix?: string; limit?: number }): Promise<TopicCount[]> {
    return this.unary.topics(appId, opts);
  }

  presence(appId: string, userId: string): Promise<Presence> {
    return this.unary.presence(appId, userId);
  }
}

function entry(c: InterestCount): cluster.InterestEntry {
  return { appId: c.appId, key: c.key, count: c.count };
}
