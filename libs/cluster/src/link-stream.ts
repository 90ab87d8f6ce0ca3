import { Logger } from '@nestjs/common';
import type { cluster } from '@beacon/contracts';
import type { GatewayNode, InterestCount } from '@beacon/routing';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { ClusterAdmission } from './cluster-admission.js';
import type { ClusterRouter } from './cluster.router.js';
import { heartbeatStats, type LinkCounters } from './link-counters.js';
import type { LocalMembers } from './local-members.js';
import type { PendingRequests } from './pending-requests.js';
import { StreamQueue } from './stream-queue.js';

type Stream = ClientDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>;

export class ClusterUnavailable extends Error {}

/** Counted bytes of a small control message (result, acquire, heartbeat). */
export const CONTROL_BYTES = 64;

export interface LinkStreamOptions {
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
}

/** What the stream works with: the link's parts, and where the topic-service's messages go. */
export interface LinkStreamParts {
  readonly unary: ClusterRouter;
  readonly admission: ClusterAdmission;
  readonly members: LocalMembers;
  readonly counters: LinkCounters;
  /** Requests answered on the stream: expired on every heartbeat, failed when the stream is lost. */
  readonly requests: ReadonlyArray<Pick<PendingRequests<unknown>, 'expire' | 'failAll'>>;
  /** Every message but `registered` (which the stream handles itself). */
  onMessage(node: GatewayNode, m: cluster.RouterMessage): void;
}

/**
 * The Attach stream's life: connect (register, then a snapshot of the node's interest, slots and
 * memberships), heartbeats, loss and reconnection with backoff, and every write through one bounded
 * queue (`StreamQueue`, bounded in messages and bytes, visible in
 * `beacon_cluster_publishes_buffered[_bytes]`). Interest deltas, slot changes and presence leaves are
 * held, coalesced, until the queue can take them; a control message (result, acquire, request) that
 * does not fit is not sent and counted; a heartbeat is skipped while the stream waits for a drain. On
 * reconnect the whole interest is re-sent, so every existing subscriber receives again.
 */
export class LinkStream {
  readonly queue: StreamQueue<cluster.GatewayMessage>;
  private readonly logger = new Logger('GatewayLink');
  private node: GatewayNode | undefined;
  private stream: Stream | undefined;
  private attachedNow = false;
  private stopped = false;
  private backoffMs: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly pendingTopics = new Map<string, cluster.InterestEntry>();
  private readonly pendingUsers = new Map<string, cluster.InterestEntry>();
  private flushScheduled = false;
  private failures = 0;

  constructor(
    private readonly options: LinkStreamOptions,
    private readonly parts: LinkStreamParts,
  ) {
    this.queue = new StreamQueue({
      maxMessages: options.maxBufferedPublishes ?? 10_000,
      maxBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024,
    });
    this.queue.onDrain = () => this.flushPending();
    this.minBackoff = options.reconnectMinMs ?? 100;
    this.maxBackoff = options.reconnectMaxMs ?? 2_000;
    this.backoffMs = this.minBackoff;
  }

  get attached(): boolean {
    return this.attachedNow;
  }

  start(node: GatewayNode): void {
    this.node = node;
    this.stopped = false;
    this.connect();
  }

  /** Ends the stream for good (no reconnect). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.lost(this.stream);
    this.stream?.end();
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

  scheduleFlush(): void {
    if (this.flushScheduled || !this.attachedNow) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // Waiting for a drain: the queue calls flushPending on it.
      if (this.queue.ready) this.flushPending();
    });
  }

  /** At most one delta and one slot-change message per call, pushed only while attached. */
  flushPending(): void {
    if (!this.attachedNow) return;
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
    const { admission, members } = this.parts;
    if (admission.hasChanges) {
      const changes = admission.takeChanges();
      this.queue.push({ slots: { changes } }, CONTROL_BYTES * (1 + changes.length));
    }
    if (members.hasLeaves) {
      const leaves = members.takeLeaves();
      this.queue.push({ leaves: { leaves } }, CONTROL_BYTES * (1 + leaves.length));
    }
  }

  /** A small per-stream message (result, acquire) if the queue has room; false when it did not fit. */
  offerControl(m: cluster.GatewayMessage): boolean {
    if (this.stream !== undefined && this.queue.offer(m, CONTROL_BYTES)) return true;
    this.parts.counters.notSent.value++;
    return false;
  }

  /** One request answered on the stream; refused at once when the queue has no room for it. */
  request<T>(pending: PendingRequests<T>, build: (requestId: number) => cluster.GatewayMessage): Promise<T> {
    const { id, promise } = pending.open();
    if (!this.offerControl(build(id))) pending.fail(id, new ClusterUnavailable('the stream queue is full'));
    return promise;
  }

  // ---- the stream ----

  private connect(): void {
    const node = this.node;
    if (node === undefined || this.stopped) return;
    const { unary, admission, members } = this.parts;
    const stream = unary.client.attach(unary.metadata());
    this.stream = stream;
    stream.on('data', (m: cluster.RouterMessage) => this.onMessage(stream, m));
    stream.on('error', (err: Error) => {
      // One warning per outage, not one per retry.
      if (this.attachedNow || this.failures++ === 0)
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
    const slots = admission.streamStarted();
    const { topics, users } = node.interest();
    stream.write({
      snapshot: { topics: topics.map(entry), users: users.map(entry), slots, members: members.snapshot() },
    });
  }

  private onMessage(stream: Stream, m: cluster.RouterMessage): void {
    const node = this.node;
    if (stream !== this.stream || node === undefined) return;
    if (m.registered === undefined) return this.parts.onMessage(node, m);
    const wasAttached = this.attachedNow;
    this.failures = 0;
    this.attachedNow = true;
    this.backoffMs = this.minBackoff;
    if (!wasAttached) this.logger.log(`attached to topic-service at ${this.options.topicServiceUrl}`);
    this.queue.setStream(stream);
    this.parts.admission.streamRegistered();
    this.startHeartbeat(stream, m.registered.heartbeatIntervalMs);
    this.flushPending();
  }

  private startHeartbeat(stream: Stream, intervalMs: number): void {
    clearInterval(this.heartbeatTimer);
    const { counters, requests } = this.parts;
    this.heartbeatTimer = setInterval(
      () => {
        if (stream !== this.stream) return;
        const late = new ClusterUnavailable('the topic-service did not answer in time');
        for (const p of requests) p.expire(late);
        // Behind a stream that waits for a drain a heartbeat adds nothing: whatever is queued is a
        // sign of life once it arrives, and a stream that never drains should be expired.
        if (!this.queue.ready) {
          counters.notSent.value++;
          return;
        }
        const node = this.node;
        if (node === undefined) return;
        this.queue.push(
          { heartbeat: { stats: heartbeatStats(node.stats(), counters, this.queue) } },
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
    if (this.attachedNow)
      this.logger.warn('detached from topic-service; delivering locally, buffering publishes');
    this.attachedNow = false;
    clearInterval(this.heartbeatTimer);
    const { counters, admission, requests } = this.parts;
    counters.notSent.value += this.queue.setStream(undefined);
    admission.streamLost();
    // Their answers went with the stream. A join the topic-service took is undone by the next snapshot.
    const gone = new ClusterUnavailable('the link to the topic-service was lost');
    for (const p of requests) p.failAll(gone);
    stream.removeAllListeners('data');
    stream.on('error', () => undefined);
    stream.cancel();
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoff, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      counters.reconnects.value++;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}

function entry(c: InterestCount): cluster.InterestEntry {
  return { appId: c.appId, key: c.key, count: c.count };
}
