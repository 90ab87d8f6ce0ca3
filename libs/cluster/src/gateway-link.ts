import type { cluster } from '@beacon/contracts';
import type { MetricsRegistry } from '@beacon/metrics';
import {
  IdSequence,
  type DirectReceipt,
  type DisconnectTarget,
  type GatewayNode,
  type HistoryRead,
  type InterestListener,
  type JoinResult,
  type NodeLink,
  type Presence,
  type PresenceMember,
  type PresenceStats,
  type PublishOptions,
  type PublishReceipt,
  type Router,
  type StreamPosition,
  type TopicCount,
} from '@beacon/routing';
import { ClusterAdmission } from './cluster-admission.js';
import { ClusterRouter } from './cluster.router.js';
import { historyToProto, messageBytes, publishToProto, receiptFromProto } from './convert.js';
import { linkCounters, type LinkCounters } from './link-counters.js';
import { handleInbound, type InboundTargets } from './link-inbound.js';
import { StreamRequests } from './link-requests.js';
import { ClusterUnavailable, LinkStream, type LinkStreamOptions } from './link-stream.js';
import { LocalMembers } from './local-members.js';
import { PendingRequests } from './pending-requests.js';

export { ClusterUnavailable } from './link-stream.js';

export interface GatewayLinkOptions extends LinkStreamOptions {
  /**
   * Deadline of unary calls (counts, presence reads, direct sends made from this gateway) and of the
   * requests answered on the stream (history replays, presence joins, history publishes).
   */
  deadlineMs?: number;
  /** The shared cluster token (BEACON_CLUSTER_TOKEN). */
  clusterToken?: string;
}

/**
 * A gateway's Router in the split deployment. One bidirectional stream to the topic-service
 * (`LinkStream`) carries this node's interest (a full snapshot on every attach, coalesced deltas after),
 * client publishes (one message per publish, all its topics in it), heartbeats, command results and
 * connection admission one way, and deliveries, commands and admission answers the other
 * (`handleInbound`). Reads and direct sends are unary calls (`ClusterRouter`).
 *
 * When the stream's queue is full a client publish is refused (`ClusterUnavailable`, the client's
 * `unavailable` error) before anything is delivered. While the topic-service is unreachable clients stay
 * connected, local delivery goes on, client publishes wait in the same queue, and the link reconnects
 * with backoff.
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
  private readonly unary: ClusterRouter;
  private readonly stream: LinkStream;
  private readonly requests: StreamRequests;
  private readonly counters: LinkCounters;
  private readonly ids: IdSequence;
  private readonly members = new LocalMembers();
  private readonly published: PendingRequests<cluster.TopicPosition[]>;
  private node: GatewayNode | undefined;

  constructor(options: GatewayLinkOptions, metrics: MetricsRegistry) {
    this.unary = new ClusterRouter({
      topicServiceUrl: options.topicServiceUrl,
      deadlineMs: options.deadlineMs,
      clusterToken: options.clusterToken,
    });
    this.ids = new IdSequence(`m${options.nodeId}`);
    const deadline = options.deadlineMs ?? 5_000;
    const replays = new PendingRequests<cluster.ReplayPage>(deadline);
    const joins = new PendingRequests<string>(deadline);
    this.published = new PendingRequests(deadline);
    this.admission = new ClusterAdmission(metrics);
    this.counters = linkCounters(metrics, {
      attached: () => this.stream.attached,
      buffered: () => this.stream.queue.count,
      bufferedBytes: () => this.stream.queue.bytes,
    });
    const inbound: InboundTargets = {
      admission: this.admission,
      replays,
      joins,
      published: this.published,
      received: this.counters.received,
      reply: (result) => void this.stream.offerControl({ result }),
    };
    this.stream = new LinkStream(options, {
      unary: this.unary,
      admission: this.admission,
      members: this.members,
      counters: this.counters,
      requests: [replays, joins, this.published],
      onMessage: (node, m) => handleInbound(node, m, inbound),
    });
    this.requests = new StreamRequests(this.stream, replays, joins, this.members);
    this.admission.bind({
      sendAcquire: (acquire) => this.stream.offerControl({ acquire }),
      slotsChanged: () => this.stream.scheduleFlush(),
    });
  }

  get isAttached(): boolean {
    return this.stream.attached;
  }

  attach(node: GatewayNode): void {
    this.node = node;
    node.watchInterest(this);
    this.stream.start(node);
  }

  detach(node: GatewayNode): void {
    if (this.node !== node) return;
    node.watchInterest(undefined);
    this.stream.stop();
    this.unary.close();
  }

  topicInterest(appId: string, topic: string, count: number): void {
    this.stream.topicInterest(appId, topic, count);
  }

  userInterest(appId: string, userId: string, count: number): void {
    this.stream.userInterest(appId, userId, count);
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
    const { queue, attached } = this.stream;
    if (history.length > 0 && !attached) {
      this.counters.dropped.value++;
      throw new ClusterUnavailable('history topics are numbered by the topic-service, which is unreachable');
    }
    const msg = publishToProto(appId, topics, Buffer.from(dataJson), id, ts, history);
    const bytes = messageBytes(msg);
    if (!queue.hasRoom(bytes)) {
      this.counters.dropped.value++;
      throw new ClusterUnavailable(
        attached
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
    this.counters.sentPublishes.value++;
    if (history.length === 0) {
      queue.push({ publish: msg }, bytes, true);
      return { id, ts };
    }
    const answer = this.published.open();
    msg.requestId = answer.id;
    // Not kept across a stream loss: its answer would be lost with the stream (the ack says unavailable).
    queue.push({ publish: msg }, bytes);
    return receiptFromProto(id, ts, await answer.promise);
  }

  history(
    appId: string,
    topic: string,
    opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead> {
    return this.requests.history(appId, topic, opts);
  }

  presenceJoin(
    appId: string,
    topic: string,
    member: PresenceMember,
    nodeId: string,
    limit: number,
  ): Promise<JoinResult> {
    return this.requests.presenceJoin(appId, topic, member, nodeId, limit);
  }

  presenceLeave(appId: string, topic: string, clientId: string): void {
    this.requests.presenceLeave(appId, topic, clientId);
  }

  // ---- unary calls: reads and direct sends ----

  presenceMembers(appId: string, topic: string, limit: number): Promise<PresenceMember[]> {
    return this.unary.presenceMembers(appId, topic, limit);
  }

  presenceStats(appId: string, topic: string): Promise<PresenceStats> {
    return this.unary.presenceStats(appId, topic);
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
