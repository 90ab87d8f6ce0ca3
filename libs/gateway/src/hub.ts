import {
  CLOSE_REASONS,
  encodeControl,
  encodeFiretower,
  encodeMessage,
  type CloseCode,
} from '@beacon/protocol';
import type { Counter, Histogram, MetricsRegistry } from '@beacon/metrics';
import type {
  DisconnectTarget,
  GatewayNode,
  InterestCount,
  InterestListener,
  NodeStats,
  Outbound,
  PresenceMember,
  Target,
  TopicCount,
} from '@beacon/routing';
import { ConnState, type Connection } from './connection.js';
import { TopicTaps, type TapListener } from './topic-taps.js';
import { frameText } from './ws-frame.js';

const CLOSE_CODES = Object.keys(CLOSE_REASONS).map(Number) as CloseCode[];

/**
 * A topic's local subscribers and its message counter. `messages` is bumped once per message that
 * reaches the node (never per recipient); `mark` and `rate` belong to whoever samples rates (the stats
 * sampler): it is the only reader.
 */
export interface TopicEntry {
  readonly subs: Set<Connection>;
  messages: number;
  mark: number;
  rate: number;
}

/** One app's slice of the node: tenants never share a map, so they never share a topic. */
class AppSpace {
  readonly topics = new Map<string, TopicEntry>();
  readonly users = new Map<string, Set<Connection>>();
  readonly conns = new Set<Connection>();
  /** Topic subscriptions of the app's connections on this node. */
  subscriptions = 0;
  /** Messages that reached the app's recipients here, and deliveries written for it. */
  messages = 0;
  deliveries = 0;
  constructor(readonly appKey: string) {}
}

/** Read-only view of one app's slice, for the stats sampler and the directories. */
export interface AppView {
  readonly appId: string;
  readonly appKey: string;
  readonly connections: number;
  readonly subscriptions: number;
  readonly messages: number;
  readonly deliveries: number;
  readonly topics: ReadonlyMap<string, TopicEntry>;
}

export interface HubEvents {
  /** A connection's outbound buffer passed the budget, or its writes stopped draining. */
  slowConsumer(conn: Connection, bufferedBytes: number): void;
  /** A push-API disconnect; the gateway closes the connection with 4010. */
  kick(conn: Connection): void;
}

/**
 * The node-local index (app → topic → connections, users, client ids) and the fan-out.
 * A delivery is encoded and framed once; the same Buffer is written to every recipient's socket.
 */
export class Hub implements GatewayNode {
  private readonly apps = new Map<string, AppSpace>();
  private readonly clients = new Map<string, Connection>();
  private readonly dirty: Connection[] = [];
  private flushScheduled = false;
  private readonly delivered: Counter;
  private readonly deliveredBytes: Counter;
  private readonly messages: Counter;
  private readonly skipped: Counter;
  private readonly toWrite: Histogram;
  private readonly clientCloses: Counter;
  private readonly serverCloses: Record<number, Counter> = {};
  /** When each message delivered in this turn reached the hub (performance.now()), observed at the flush. */
  private readonly reachedAt: number[] = [];
  events: HubEvents | undefined;
  private listener: InterestListener | undefined;
  private subscriptionCount = 0;
  /** Taps of topics being tailed (the dashboard's live tail); null when none, so delivery pays one check. */
  private taps: TopicTaps | null = null;

  constructor(
    readonly nodeId: string,
    private readonly outboundBudget: number,
    metrics: MetricsRegistry,
  ) {
    this.delivered = metrics.counter('beacon_deliveries_total', 'Messages written to client sockets');
    this.deliveredBytes = metrics.counter('beacon_delivered_bytes_total', 'Bytes written to client sockets');
    this.messages = metrics.counter(
      'beacon_messages_routed_total',
      'Messages that reached this node for delivery',
    );
    this.skipped = metrics.counter(
      'beacon_deliveries_skipped_total',
      'Deliveries not written: recipient closing',
    );
    this.toWrite = metrics.histogram(
      'beacon_publish_to_write_seconds',
      'From a message reaching this node to its frames being written to the sockets (per message)',
    );
    metrics.gauge('beacon_connections', 'Open client connections on this node', () => this.clients.size);
    metrics.gauge('beacon_topics', 'Topics with at least one local subscriber', () => this.topicCount());
    this.clientCloses = metrics.counter(
      'beacon_client_disconnects_total',
      'Connections closed by the client',
    );
    for (const code of CLOSE_CODES) {
      this.serverCloses[code] = metrics.counter(
        `beacon_closed_${code}_total`,
        `Connections the server closed with code ${code} (${CLOSE_REASONS[code]})`,
      );
    }
  }

  /** Counts a connection's close: by the client, or by the server with its (documented) code. */
  countClose(by: 'client' | CloseCode): void {
    if (by === 'client') this.clientCloses.value++;
    else this.serverCloses[by]!.value++;
  }

  stats(): NodeStats {
    const serverCloses = {} as Record<CloseCode, number>;
    for (const code of CLOSE_CODES) serverCloses[code] = this.serverCloses[code]!.value;
    return {
      connections: this.clients.size,
      subscriptions: this.subscriptionCount,
      topics: this.topicCount(),
      deliveries: this.delivered.value,
      deliveredBytes: this.deliveredBytes.value,
      messagesRouted: this.messages.value,
      clientCloses: this.clientCloses.value,
      serverCloses,
    };
  }

  private topicCount(): number {
    let n = 0;
    for (const a of this.apps.values()) n += a.topics.size;
    return n;
  }

  add(conn: Connection): void {
    let app = this.apps.get(conn.appId);
    if (app === undefined) {
      app = new AppSpace(conn.appKey);
      this.apps.set(conn.appId, app);
    }
    app.conns.add(conn);
    this.clients.set(conn.id, conn);
    if (conn.userId !== null) {
      const n = addTo(app.users, conn.userId, conn);
      this.listener?.userInterest(conn.appId, conn.userId, n);
    }
  }

  /**
   * Removes a connection from every index. Idempotent. `conn.topics` keeps what it was subscribed to,
   * so the close hooks can see it.
   */
  remove(conn: Connection): void {
    if (this.clients.get(conn.id) !== conn) return;
    this.clients.delete(conn.id);
    const app = this.apps.get(conn.appId);
    if (app === undefined) return;
    for (const topic of conn.topics) this.dropSubscriber(app, conn.appId, topic, conn);
    if (conn.userId !== null) {
      const n = removeFrom(app.users, conn.userId, conn);
      if (n >= 0) this.listener?.userInterest(conn.appId, conn.userId, n);
    }
    app.conns.delete(conn);
    if (app.conns.size === 0) this.apps.delete(conn.appId);
  }

  connectionCount(appId?: string): number {
    return appId === undefined ? this.clients.size : (this.apps.get(appId)?.conns.size ?? 0);
  }

  get(clientId: string): Connection | undefined {
    return this.clients.get(clientId);
  }

  all(): IterableIterator<Connection> {
    return this.clients.values();
  }

  /** The app's open connections on this node. */
  appConnections(appId: string): Iterable<Connection> {
    return this.apps.get(appId)?.conns ?? [];
  }

  subscribe(conn: Connection, topics: readonly string[]): void {
    const app = this.apps.get(conn.appId);
    if (app === undefined || conn.state !== ConnState.Open) return; // a removed connection stays out
    for (const topic of topics) {
      if (conn.topics.has(topic)) continue;
      conn.topics.add(topic);
      let entry = app.topics.get(topic);
      if (entry === undefined) {
        entry = { subs: new Set(), messages: 0, mark: 0, rate: 0 };
        app.topics.set(topic, entry);
      }
      entry.subs.add(conn);
      app.subscriptions++;
      this.subscriptionCount++;
      this.listener?.topicInterest(conn.appId, topic, entry.subs.size);
    }
  }

  unsubscribe(conn: Connection, topics: readonly string[]): void {
    const app = this.apps.get(conn.appId);
    if (app === undefined) return;
    for (const topic of topics) {
      if (!conn.topics.delete(topic)) continue;
      this.dropSubscriber(app, conn.appId, topic, conn);
    }
  }

  deliver(target: Target, m: Outbound): number {
    this.messages.value++;
    const app = this.apps.get(m.appId);
    if (app === undefined) return 0;
    let recipients: Iterable<Connection> | undefined;
    switch (target.kind) {
      case 'topic': {
        const entry = app.topics.get(target.topic);
        if (entry === undefined) return 0;
        entry.messages++;
        recipients = entry.subs;
        if (this.taps !== null) this.taps.offer(m.appId, target.topic, m);
        break;
      }
      case 'user':
        recipients = app.users.get(target.userId);
        break;
      case 'client': {
        const c = this.clients.get(target.clientId);
        recipients = c !== undefined && c.appId === m.appId ? [c] : undefined;
        break;
      }
      case 'broadcast':
        recipients = app.conns;
        break;
    }
    if (recipients === undefined) return 0;
    const reached = performance.now();
    const frame = frameText(encodeMessage(target.kind, m.topic, m.dataJson, m.id, m.ts, m.offset, m.epoch));
    let firetower: Buffer | undefined; // made at most once, for an app speaking firetower's frames
    let n = 0;
    for (const conn of recipients) {
      if (conn.firetower) {
        firetower ??= frameText(encodeFiretower(m.topic, m.dataJson));
        if (this.write(conn, firetower)) n++;
        continue;
      }
      // A subscriber still being replayed its history gets live messages after the replay (one null check
      // on the hot path when nothing is recovering).
      const waiting = conn.recovering === null ? undefined : conn.recovering.get(m.topic as string);
      if (waiting !== undefined && m.offset !== undefined) {
        waiting.push({ offset: m.offset, frame });
        n++;
      } else if (this.write(conn, frame)) n++;
    }
    if (n > 0) this.reachedAt.push(reached);
    this.delivered.value += n;
    this.deliveredBytes.value += n * frame.length;
    app.messages++;
    app.deliveries += n;
    return n;
  }

  /**
   * Queues pre-framed bytes for one connection, enforcing its outbound budget: deliveries, and the
   * control replies (connected, ack, error, pong) too, in the order they were produced. Frames queued
   * during one event-loop turn go out together when it ends (`flush`): several messages for one socket
   * cost one writev instead of one write each. The Buffers stay shared; nothing is copied per recipient.
   */
  write(conn: Connection, frame: Buffer): boolean {
    if (conn.state !== ConnState.Open) {
      this.skipped.value++;
      return false;
    }
    const buffered = conn.raw.writableLength + conn.pendingBytes;
    if (buffered + frame.length > this.outboundBudget) {
      this.events?.slowConsumer(conn, buffered);
      return false;
    }
    if (conn.pending.length === 0) this.dirty.push(conn);
    conn.pending.push(frame);
    conn.pendingBytes += frame.length;
    conn.messagesOut++;
    conn.bytesOut += frame.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  /**
   * Hands a connection's queued frames to its socket, as far as the socket takes them: once it is past
   * its high-water mark the rest stays queued here until it drains (`drained`). So what waits for a
   * slow reader waits here, where a slow-consumer close can drop it and put the close frame next in
   * line. `force` (a close that is not a slow consumer's) writes everything, keeping order before the
   * close frame; the budget still bounds it.
   */
  flushConnection(conn: Connection, force = false): void {
    const pending = conn.pending;
    if (pending.length === 0) return;
    if (conn.state !== ConnState.Open) return this.discard(conn);
    const raw = conn.raw;
    if (!force && raw.writableNeedDrain) return;
    if (pending.length === 1) {
      raw.write(pending[0] as Buffer);
      return this.discard(conn);
    }
    let sent = 0;
    let bytes = 0;
    raw.cork();
    while (sent < pending.length) {
      const frame = pending[sent++] as Buffer;
      bytes += frame.length;
      if (!raw.write(frame) && !force) break;
    }
    raw.uncork();
    if (sent === pending.length) return this.discard(conn);
    pending.splice(0, sent);
    conn.pendingBytes -= bytes;
  }

  /** The socket drained: what waited for it goes out now. */
  drained(conn: Connection): void {
    this.flushConnection(conn);
  }

  /** Drops a connection's queued frames, written nowhere. */
  discard(conn: Connection): void {
    conn.pending.length = 0;
    conn.pendingBytes = 0;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const dirty = this.dirty;
    for (let i = 0; i < dirty.length; i++) this.flushConnection(dirty[i] as Connection);
    dirty.length = 0;
    const reachedAt = this.reachedAt;
    if (reachedAt.length === 0) return;
    const now = performance.now();
    for (let i = 0; i < reachedAt.length; i++) this.toWrite.observe((now - (reachedAt[i] as number)) / 1000);
    reachedAt.length = 0;
  };

  disconnect(appId: string, target: DisconnectTarget): number {
    const app = this.apps.get(appId);
    if (app === undefined) return 0;
    let victims: Connection[];
    if ('clientId' in target) {
      const c = this.clients.get(target.clientId);
      victims = c !== undefined && c.appId === appId ? [c] : [];
    } else {
      victims = [...(app.users.get(target.userId) ?? [])];
    }
    for (const c of victims) this.events?.kick(c);
    return victims.length;
  }

  topicSubscribers(appId: string, topic: string): number {
    return this.apps.get(appId)?.topics.get(topic)?.subs.size ?? 0;
  }

  /** The topic's local subscribers (empty when none). */
  subscribersOf(appId: string, topic: string): Iterable<Connection> {
    return this.apps.get(appId)?.topics.get(topic)?.subs ?? [];
  }

  /** The user's local connections (empty when none). */
  connectionsOf(appId: string, userId: string): Iterable<Connection> {
    return this.apps.get(appId)?.users.get(userId) ?? [];
  }

  /** Topic subscriptions on this node, all apps together (kept as they change, O(1) to read). */
  get subscriptions(): number {
    return this.subscriptionCount;
  }

  /** Every app with connections on this node, for the stats sampler and the directories. */
  appViews(): IterableIterator<AppView> {
    return appViews(this.apps);
  }

  appView(appId: string): AppView | undefined {
    const app = this.apps.get(appId);
    return app === undefined ? undefined : view(appId, app);
  }

  /**
   * Observes a topic's deliveries without slowing them: the listener is called after the delivering
   * turn, at most `maxPerSec` times a second, with at most `maxQueued` messages waiting (the rest are
   * dropped and counted in the next call's `dropped`). Returns the stop function.
   */
  tap(appId: string, topic: string, listener: TapListener): () => void {
    this.taps ??= new TopicTaps();
    const taps = this.taps;
    const stop = taps.add(appId, topic, listener);
    return () => {
      stop();
      if (taps.size === 0 && this.taps === taps) this.taps = null;
    };
  }

  *topics(appId: string): IterableIterator<TopicCount> {
    const app = this.apps.get(appId);
    if (app === undefined) return;
    for (const [topic, entry] of app.topics) yield { topic, subscribers: entry.subs.size };
  }

  interest(): { topics: InterestCount[]; users: InterestCount[] } {
    const topics: InterestCount[] = [];
    const users: InterestCount[] = [];
    for (const [appId, app] of this.apps) {
      for (const [key, entry] of app.topics) topics.push({ appId, key, count: entry.subs.size });
      for (const [key, set] of app.users) users.push({ appId, key, count: set.size });
    }
    return { topics, users };
  }

  watchInterest(listener: InterestListener | undefined): void {
    this.listener = listener;
  }

  deliverPresence(appId: string, topic: string, kind: 'join' | 'leave', member: PresenceMember): number {
    const subscribers = this.apps.get(appId)?.topics.get(topic)?.subs;
    if (subscribers === undefined) return 0;
    let frame: Buffer | undefined;
    let n = 0;
    for (const conn of subscribers) {
      if (conn.joinLeave === null || !conn.joinLeave.has(topic) || conn.id === member.clientId) continue;
      frame ??= frameText(
        encodeControl({
          type: kind,
          topic,
          clientId: member.clientId,
          userId: member.userId,
          info: member.info,
        }),
      );
      if (this.write(conn, frame)) n++;
    }
    return n;
  }

  presence(appId: string, userId: string): number {
    return this.apps.get(appId)?.users.get(userId)?.size ?? 0;
  }

  private dropSubscriber(app: AppSpace, appId: string, topic: string, conn: Connection): void {
    const entry = app.topics.get(topic);
    if (entry === undefined || !entry.subs.delete(conn)) return;
    if (entry.subs.size === 0) app.topics.delete(topic);
    app.subscriptions--;
    this.subscriptionCount--;
    this.listener?.topicInterest(appId, topic, entry.subs.size);
  }
}

function* appViews(apps: Map<string, AppSpace>): IterableIterator<AppView> {
  for (const [appId, app] of apps) yield view(appId, app);
}

function view(appId: string, app: AppSpace): AppView {
  return {
    appId,
    appKey: app.appKey,
    connections: app.conns.size,
    subscriptions: app.subscriptions,
    messages: app.messages,
    deliveries: app.deliveries,
    topics: app.topics,
  };
}

function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection): number {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(conn);
  return set.size;
}

/** Returns the set's new size, or -1 when the connection was not in it. */
function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection): number {
  const set = map.get(key);
  if (set === undefined || !set.delete(conn)) return -1;
  if (set.size === 0) map.delete(key);
  return set.size;
}
