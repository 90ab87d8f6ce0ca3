import { Logger } from '@nestjs/common';
import { cluster } from '@beacon/contracts';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import { CloseCode } from '@beacon/protocol';
import {
  IdSequence,
  type DirectReceipt,
  type DisconnectTarget,
  type GatewayNode,
  type HistoryRead,
  type InterestCount,
  type InterestListener,
  type JoinResult,
  type NodeLink,
  type Presence,
  type PresenceMember,
  type PresenceStats,
  type PublishOptions,
  type PublishReceipt,
  type Router,
  type StoredMessage,
  type StreamPosition,
  type TopicCount,
} from '@beacon/routing';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { ClusterAdmission } from './cluster-admission.js';
import { ClusterRouter } from './cluster.router.js';
import {
  historyFromProto,
  historyToProto,
  memberFromProto,
  memberToProto,
  messageBytes,
  outboundFromProto,
  positionsFromProto,
  publishToProto,
  targetFromProto,
} from './convert.js';
import { LocalMembers } from './local-members.js';
import { PendingRequests } from './pending-requests.js';
import { StreamQueue } from './stream-queue.js';

export interface GatewayLinkOptions {
  /** host:port of the topic-service. */
  topicServiceUrl: string;
  nodeId: string;
  /** Where clients reach this gateway; informational. */
  address?: string;
  /**
   * Messages waiting for the Attach stream (client publishes, mostly), attached or not: held while
   * the topic-service is unreachable or not reading; past it client publishes are refused.
   */
  maxBufferedPublishes?: number;
  /** The same bound in bytes (payload and names of each message). */
  maxBufferedBytes?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /**
   * Deadline of unary calls (counts, presence reads, direct sends made from this gateway) and of the
   * requests answered on the stream (history replays, presence joins, history publishes).
   */
  deadlineMs?: number;
  /** The shared cluster token (BEACON_CLUSTER_TOKEN). */
  clusterToken?: string;
}

type Stream = ClientDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>;

export class ClusterUnavailable extends Error {}

/** Counted bytes of a small control message (result, acquire, heartbeat). */
const CONTROL_BYTES = 64;

/**
 * A gateway's Router in the split deployment. One bidirectional stream to the topic-service carries
 * this node's interest (a full snapshot on every attach, coalesced deltas after), client publishes
 * (one message per publish, all its topics in it), heartbeats, command results and connection
 * admission one way, and deliveries, commands and admission answers the other.
 *
 * Every write honours the stream's backpressure through one bounded queue (`StreamQueue`, bounded
 * in messages and bytes, visible in `beacon_cluster_publishes_buffered[_bytes]`). When it is full a
 * client publish is refused (`ClusterUnavailable`, the client's `unavailable` error) before anything
 * is delivered; a command result or an admission request is not sent (the command counts this
 * gateway 0 at its deadline, the admission is decided locally) and counted; a heartbeat is skipped
 * while the stream waits for a drain; interest deltas and slot changes are held, coalesced, until it
 * drains. While the topic-service is unreachable clients stay connected, local delivery goes on,
 * client publishes wait in the same queue, and the link reconnects with backoff. On reconnect it
 * re-sends its whole interest, so every existing subscriber receives again without doing anything.
 *
 * History and presence have their authority in the topic-service: a client publish naming history
 * topics is delivered here only for its other topics and numbered there (routed back here in offset
 * order, the ack waits for `published`); a subscribe's replay is asked on the stream, behind the
 * interest change that subscribe made; presence joins are asked on the stream, leaves coalesced, and
 * the memberships sent whole in every snapshot. While detached these are refused (`unavailable`).
 */
export class GatewayLink implements Router, NodeLink, InterestListener {
  /** Cluster-wide `maxConnections` over this link's stream (give it to the gateway module). */
  readonly admission: ClusterAdmission;
  private readonly logger = new Logger('GatewayLink');
  private readonly unary: ClusterRouter;
  private readonly ids: IdSequence;
  private readonly queue: StreamQueue<cluster.GatewayMessage>;
  private node: GatewayNode | undefined;
  private stream: Stream | undefined;
  private attached = false;
  private stopped = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly pendingTopics = new Map<string, cluster.InterestEntry>();
  private readonly pendingUsers = new Map<string, cluster.InterestEntry>();
  private flushScheduled = false;
  private failures = 0;
  private readonly received: Counter;
  private readonly sentPublishes: Counter;
  private readonly dropped: Counter;
  private readonly notSent: Counter;
  private readonly reconnects: Counter;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly members = new LocalMembers();
  private readonly replays: PendingRequests<cluster.ReplayPage>;
  private readonly joins: PendingRequests<string>;
  private readonly published: PendingRequests<cluster.TopicPosition[]>;

  constructor(
    private readonly options: GatewayLinkOptions,
    metrics: MetricsRegistry,
  ) {
    this.unary = new ClusterRouter({
      topicServiceUrl: options.topicServiceUrl,
      deadlineMs: options.deadlineMs,
      clusterToken: options.clusterToken,
    });
    this.ids = new IdSequence(`m${options.nodeId}`);
    this.queue = new StreamQueue({
      maxMessages: options.maxBufferedPublishes ?? 10_000,
      maxBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024,
    });
    this.queue.onDrain = () => this.flushPending();
    this.minBackoff = options.reconnectMinMs ?? 100;
    this.maxBackoff = options.reconnectMaxMs ?? 2_000;
    this.backoffMs = this.minBackoff;
    const deadline = options.deadlineMs ?? 5_000;
    this.replays = new PendingRequests(deadline);
    this.joins = new PendingRequests(deadline);
    this.published = new PendingRequests(deadline);
    this.admission = new ClusterAdmission(metrics);
    this.admission.bind({
      sendAcquire: (acquire) => this.offerControl({ acquire }),
      slotsChanged: () => this.scheduleFlush(),
    });
    this.received = metrics.counter(
      'beacon_cluster_messages_received_total',
      'Messages the topic-service routed to this gateway',
    );
    this.sentPublishes = metrics.counter(
      'beacon_cluster_publishes_sent_total',
      'Client publishes queued for the topic-service (one stream message per publish)',
    );
    this.dropped = metrics.counter(
      'beacon_cluster_publishes_refused_total',
      'Client publishes refused: the stream queue was full (topic-service unreachable or not reading)',
    );
    this.notSent = metrics.counter(
      'beacon_cluster_stream_dropped_total',
      'Command results, admission requests and heartbeats not sent because the stream queue was full',
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
      'Messages waiting for the Attach stream (held, or in the stream and not yet sent)',
      () => this.queue.count,
    );
    metrics.gauge(
      'beacon_cluster_publishes_buffered_bytes',
      'Bytes of the messages waiting for the Attach stream',
      () => this.queue.bytes,
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

  // ---- interest and slot changes: coalesced, sent when the stream can take them ----

  topicInterest(appId: string, topic: string, count: number): void {
    this.pendingTopics.set(`${appId}\u0000${topic}`, { appId, key: topic, count });
    this.scheduleFlush();
  }

  userInterest(appId: string, userId: string, count: number): void {
    this.pendingUsers.set(`${appId}\u0000${userId}`, { appId, key: userId, count });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.attached) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // Waiting for a drain: the queue calls flushPending on it.
      if (this.queue.ready) this.flushPending();
    });
  }

  /** At most one delta and one slot-change message per call, pushed only while attached. */
  private flushPending(): void {
    if (!this.attached) return;
    if (this.pendingTopics.size > 0 || this.pendingUsers.size > 0) {
      const delta = {
        topics: [...this.pendingTopics.values()],
        users: [...this.pendingUsers.values()],
        slots: [],
        members: [],
      };
      this.pendingTopics.clear();
      this.pendingUsers.clear();
      this.queue.push({ delta }, CONTROL_BYTES * (1 + delta.topics.length + delta.users.length));
    }
    if (this.admission.hasChanges) {
      const changes = this.admission.takeChanges();
      this.queue.push({ slots: { changes } }, CONTROL_BYTES * (1 + changes.length));
    }
    if (this.members.hasLeaves) {
      const leaves = this.members.takeLeaves();
      this.queue.push({ leaves: { leaves } }, CONTROL_BYTES * (1 + leaves.length));
    }
  }

  /** A small per-stream message (result, acquire) if the queue has room; false when it did not fit. */
  private offerControl(m: cluster.GatewayMessage): boolean {
    if (this.stream !== undefined && this.queue.offer(m, CONTROL_BYTES)) return true;
    this.notSent.value++;
    return false;
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
    // register and snapshot go first, straight to the new stream; the queue (and every other
    // message) follows once the topic-service answers `registered`.
    stream.write({ register: { nodeId: this.options.nodeId, address: this.options.address ?? '' } });
    // The snapshot supersedes any delta and slot change not yet sent.
    this.pendingTopics.clear();
    this.pendingUsers.clear();
    const slots = this.admission.streamStarted();
    const { topics, users } = node.interest();
    const members = this.members.snapshot();
    stream.write({ snapshot: { topics: topics.map(entry), users: users.map(entry), slots, members } });
  }

  private onMessage(stream: Stream, m: cluster.RouterMessage): void {
    const node = this.node;
    if (stream !== this.stream || node === undefined) return;
    if (m.message !== undefined) {
      this.received.value++;
      this.deliver(node, m.message);
    } else if (m.admission !== undefined) {
      this.admission.answered(Number(m.admission.requestId), m.admission.granted);
    } else if (m.presence !== undefined) {
      const member = memberFromProto(m.presence.member);
      const kind = m.presence.kind;
      if (member !== null && (kind === 'join' || kind === 'leave'))
        node.deliverPresence(m.presence.appId, m.presence.topic, kind, member);
    } else if (m.published !== undefined) {
      this.published.settle(Number(m.published.requestId), m.published.positions);
    } else if (m.replayed !== undefined) {
      this.replays.settle(Number(m.replayed.requestId), m.replayed);
    } else if (m.joined !== undefined) {
      this.joins.settle(Number(m.joined.requestId), m.joined.result);
    } else if (m.command !== undefined) {
      this.command(node, m.command);
    } else if (m.registered !== undefined) {
      const wasAttached = this.attached;
      this.failures = 0;
      this.attached = true;
      this.backoffMs = this.minBackoff;
      if (!wasAttached) this.logger.log(`attached to topic-service at ${this.options.topicServiceUrl}`);
      this.queue.setStream(stream);
      this.admission.streamRegistered();
      this.startHeartbeat(stream, m.registered.heartbeatIntervalMs);
      this.flushPending();
    }
  }

  /** One routed message: a topic message may name several topics, each delivered as its own frame. */
  private deliver(node: GatewayNode, m: cluster.Message): void {
    if (m.topics.length > 0) {
      const base = outboundFromProto(m);
      if (m.positions.length === 0) {
        for (const topic of m.topics) node.deliver({ kind: 'topic', topic }, { ...base, topic });
        return;
      }
      for (const topic of m.topics) {
        const p = m.positions.find((x) => x.topic === topic);
        const out =
          p === undefined ? { ...base, topic } : { ...base, topic, offset: Number(p.offset), epoch: p.epoch };
        node.deliver({ kind: 'topic', topic }, out);
      }
      return;
    }
    const target = targetFromProto(m.target);
    if (target !== null) node.deliver(target, outboundFromProto(m));
  }

  private command(node: GatewayNode, c: cluster.Command): void {
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
    this.offerControl({ result: { requestId: c.requestId, count } });
  }

  private startHeartbeat(stream: Stream, intervalMs: number): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(
      () => {
        if (stream !== this.stream) return;
        const late = new ClusterUnavailable('the topic-service did not answer in time');
        for (const p of [this.replays, this.joins, this.published]) p.expire(late);
        // Behind a stream that waits for a drain a heartbeat adds nothing: whatever is queued is a
        // sign of life once it arrives, and a stream that never drains should be expired.
        if (!this.queue.ready) {
          this.notSent.value++;
          return;
        }
        const node = this.node;
        if (node === undefined) return;
        const s = node.stats();
        this.queue.push(
          {
            heartbeat: {
              stats: {
                connections: s.connections,
                topics: s.topics,
                deliveriesTotal: s.deliveries,
                messagesRoutedTotal: s.messagesRouted,
                remoteMessagesTotal: this.received.value,
                slowConsumersTotal: s.serverCloses[CloseCode.SlowConsumer],
                publishBuffered: this.queue.count,
                publishDroppedTotal: this.dropped.value,
                publishBufferedBytes: this.queue.bytes,
              },
            },
          },
          CONTROL_BYTES * 4,
        );
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
    this.notSent.value += this.queue.setStream(undefined);
    this.admission.streamLost();
    // Their answers went with the stream. A join the topic-service took is undone by the next snapshot.
    const gone = new ClusterUnavailable('the link to the topic-service was lost');
    this.replays.failAll(gone);
    this.joins.failAll(gone);
    this.published.failAll(gone);
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
   * A client publish: delivered here at once, and queued as ONE stream message naming all its topics
   * for the other gateways. When the queue is full it is refused before anything is delivered.
   * Its history topics are not delivered here: the topic-service numbers them and routes them to every
   * interested gateway, this one included; the receipt waits for their positions. Those need the
   * topic-service: while detached such a publish is refused.
   */
  async publish(
    appId: string,
    topics: readonly string[],
    dataJson: string,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    const id = this.ids.next();
    const ts = Date.now();
    const history = historyToProto(topics, options);
    if (history.length > 0 && !this.attached) {
      this.dropped.value++;
      throw new ClusterUnavailable('history topics are numbered by the topic-service, which is unreachable');
    }
    const msg = publishToProto(appId, topics, Buffer.from(dataJson), id, ts, history);
    const bytes = messageBytes(msg);
    if (!this.queue.hasRoom(bytes)) {
      this.dropped.value++;
      throw new ClusterUnavailable(
        this.attached
          ? 'the topic-service is not keeping up: the publish queue is full'
          : 'topic-service unreachable and the publish queue is full',
      );
    }
    const node = this.node;
    if (node !== undefined) {
      const numbered = options?.history;
      topics.forEach((topic, i) => {
        if ((numbered?.[i] ?? null) === null)
          node.deliver({ kind: 'topic', topic }, { appId, topic, dataJson, id, ts });
      });
    }
    this.sentPublishes.value++;
    if (history.length === 0) {
      this.queue.push({ publish: msg }, bytes, true);
      return { id, ts };
    }
    const answer = this.published.open();
    msg.requestId = answer.id;
    // Not kept across a stream loss: its answer would be lost with the stream (the ack says unavailable).
    this.queue.push({ publish: msg }, bytes);
    const positions = positionsFromProto(await answer.promise);
    return positions === undefined ? { id, ts } : { id, ts, positions };
  }

  /**
   * A subscribe's history read (replay after `since`, or only the position), asked on the stream right
   * behind the interest changes not yet sent, so it is read after the topic-service routes this topic
   * here: every later message arrives live. Pages (bounded in bytes) are read until complete.
   */
  async history(
    appId: string,
    topic: string,
    opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead> {
    this.requireAttached('history');
    this.flushPending();
    const messages: StoredMessage[] = [];
    let since = opts.since;
    let recovered = true;
    for (;;) {
      const limit = opts.limit - messages.length;
      const page = await this.request(this.replays, (requestId) => ({
        replay: { requestId, appId, topic, limit, ...(since !== undefined && { since }) },
      }));
      const read = historyFromProto(page.reply);
      messages.push(...read.messages);
      recovered &&= read.recovered;
      if (!page.more || since === undefined || messages.length >= opts.limit || read.messages.length === 0)
        return { messages, position: read.position, recovered: recovered && !page.more };
      since = read.position;
    }
  }

  /** Joins on the stream (behind any leave not yet sent); the membership is in every snapshot meanwhile. */
  async presenceJoin(
    appId: string,
    topic: string,
    member: PresenceMember,
    _nodeId: string,
    limit: number,
  ): Promise<JoinResult> {
    this.requireAttached('presence');
    this.flushPending();
    this.members.add(appId, topic, member);
    let result: string;
    try {
      result = await this.request(this.joins, (requestId) => ({
        join: { requestId, appId, topic, member: memberToProto(member), limit },
      }));
    } catch (err) {
      // The topic-service may have taken it: a leave (or the next snapshot) undoes it.
      if (this.members.remove(appId, topic, member.clientId)) this.scheduleFlush();
      throw err;
    }
    if (result !== 'joined' && result !== 'present') {
      this.members.forget(appId, topic, member.clientId);
      return 'full';
    }
    return result;
  }

  presenceLeave(appId: string, topic: string, clientId: string): void {
    if (this.members.remove(appId, topic, clientId)) this.scheduleFlush();
  }

  presenceMembers(appId: string, topic: string, limit: number): Promise<PresenceMember[]> {
    return this.unary.presenceMembers(appId, topic, limit);
  }

  presenceStats(appId: string, topic: string): Promise<PresenceStats> {
    return this.unary.presenceStats(appId, topic);
  }

  private requireAttached(what: string): void {
    if (!this.attached) throw new ClusterUnavailable(`${what} needs the topic-service, which is unreachable`);
  }

  /** One request answered on the stream; refused at once when the queue has no room for it. */
  private request<T>(
    pending: PendingRequests<T>,
    build: (requestId: number) => cluster.GatewayMessage,
  ): Promise<T> {
    const { id, promise } = pending.open();
    if (!this.offerControl(build(id))) pending.fail(id, new ClusterUnavailable('the stream queue is full'));
    return promise;
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
