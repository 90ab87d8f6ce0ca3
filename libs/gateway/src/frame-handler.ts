import {
  clip,
  DEFAULT_MAX_JSON_DEPTH,
  encodeControl,
  encodeMessage,
  ErrorCode,
  isValidTopic,
  jsonDepthExceeds,
  parseClientFrame,
  type ClientFrame,
  type ErrorFrame,
  type Recovery,
  type RequestId,
  type StreamPosition,
  type SubscribeFrame,
} from '@beacon/protocol';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import { historyOptions, type Clock, type GatewayRouter, type HistoryRead } from '@beacon/routing';
import { BINARY_FRAME, ConnState, type Connection } from './connection.js';
import type { GatewayLimits } from './gateway.options.js';
import type { HookChain } from './hook-chain.js';
import { isRefusal } from './hooks.js';
import type { Hub } from './hub.js';
import { frameText } from './ws-frame.js';

/** A promise only while an async hook runs: the connection's next frames wait for it. */
type Done = void | Promise<void>;

/** Most messages one subscribe replays per topic (a history rule keeps at most 10,000). */
const MAX_REPLAY = 10_000;
/** Live deliveries that may wait per topic while its history is replayed; past it the client is a slow consumer. */
const MAX_RECOVERY_BUFFER = 10_000;

export interface FrameHandlerEvents {
  /** Verifies a `refresh` token for this connection and applies it; resolves to the new expiry (epoch ms). */
  refresh(conn: Connection, token: string): Promise<number>;
  close(conn: Connection, code: number, reason?: string): void;
}

/**
 * Handles one client frame at a time for a connection, synchronously unless a hook is async. Replies
 * (ack, error, pong) are framed here and queued through the Hub like deliveries: under the same
 * outbound budget and in the order they were produced.
 */
export class FrameHandler {
  private readonly errors: Counter;
  private readonly publishes: Counter;

  constructor(
    private readonly hub: Hub,
    private readonly router: GatewayRouter,
    private readonly hooks: HookChain,
    private readonly limits: GatewayLimits,
    metrics: MetricsRegistry,
    private readonly onHookError: (err: unknown) => void,
    /** Pong timestamps and the publish rate (token bucket). */
    private readonly clock: Clock,
    private readonly events?: FrameHandlerEvents,
  ) {
    this.errors = metrics.counter('beacon_frame_errors_total', 'Client frames answered with an error frame');
    this.publishes = metrics.counter('beacon_client_publishes_total', 'Client publishes accepted');
  }

  handle(conn: Connection, data: Buffer): Done {
    if (data === BINARY_FRAME) return this.error(conn, ErrorCode.BadFrame, 'binary frames are not accepted');
    const text = data.toString('utf8');
    // Before anything recurses over the frame (JSON.parse, JSON.stringify, hooks).
    if (jsonDepthExceeds(text, DEFAULT_MAX_JSON_DEPTH)) {
      return this.error(conn, ErrorCode.BadFrame, `frame nests deeper than ${DEFAULT_MAX_JSON_DEPTH} levels`);
    }
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return this.error(conn, parsed.error.code, parsed.error.message, parsed.error.id);
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        return this.send(conn, encodeControl({ type: 'pong', ...idOf(frame), ts: this.clock.now() }));
      case 'subscribe':
        return this.subscribe(conn, frame.topics, frame.id, frame);
      case 'unsubscribe':
        return this.unsubscribe(conn, frame.topics, frame.id);
      case 'publish':
        return this.publish(conn, frame.topics, frame.data, frame.id);
      case 'presence':
      case 'presence_stats':
        return this.presence(conn, frame.type, frame.topic, frame.id);
      case 'refresh':
        return this.refresh(conn, frame.token, frame.id);
    }
  }

  /** Replies with an error frame; the connection stays open and nothing else changes. */
  error(conn: Connection, code: ErrorCode, message: string, id?: RequestId, topic?: string): void {
    this.errors.value++;
    const frame: ErrorFrame = { type: 'error', code, message };
    if (id !== undefined) frame.id = id;
    if (topic !== undefined) frame.topic = topic;
    this.send(conn, encodeControl(frame));
  }

  private send(conn: Connection, text: string): void {
    if (conn.state === ConnState.Open) this.hub.write(conn, frameText(text));
  }

  private checkTopics(conn: Connection, topics: readonly unknown[], id?: RequestId): boolean {
    for (const t of topics) {
      if (!isValidTopic(t, this.limits.maxTopicLength)) {
        const shown = clip(String(t));
        this.error(conn, ErrorCode.InvalidTopic, `invalid topic name ${JSON.stringify(shown)}`, id, shown);
        return false;
      }
    }
    return true;
  }

  private tooMany(
    conn: Connection,
    topics: readonly string[],
    max: number,
    per: string,
    id?: RequestId,
  ): boolean {
    if (topics.length <= max) return false;
    this.error(conn, ErrorCode.TooManyTopics, `at most ${max} topics per ${per}`, id);
    return true;
  }

  private subscribe(conn: Connection, requested: string[], id?: RequestId, frame?: SubscribeFrame): Done {
    // One frame cannot subscribe to more than a connection may hold: refused before any topic is checked.
    if (this.tooMany(conn, requested, conn.limits.maxTopics, 'connection', id)) return;
    if (!this.checkTopics(conn, requested, id)) return;
    const decided = this.hooks.beforeSubscribe(conn, requested);
    if (decided instanceof Promise) {
      return decided.then(
        (d) => this.finishSubscribe(conn, d, id, frame),
        (err) => this.hookFailed(conn, err, id),
      );
    }
    return this.finishSubscribe(conn, decided, id, frame);
  }

  private finishSubscribe(
    conn: Connection,
    decided: Awaited<ReturnType<HookChain['beforeSubscribe']>>,
    id?: RequestId,
    frame?: SubscribeFrame,
  ): Done {
    if (conn.state !== ConnState.Open) return;
    if (isRefusal(decided)) return this.error(conn, decided.code ?? ErrorCode.Refused, decided.refuse, id);
    const topics = [...new Set(decided)];
    if (!this.checkTopics(conn, topics, id)) return;
    let added = 0;
    for (const t of topics) if (!conn.topics.has(t)) added++;
    if (conn.topics.size + added > conn.limits.maxTopics) {
      return this.error(
        conn,
        ErrorCode.TooManyTopics,
        `at most ${conn.limits.maxTopics} topics per connection`,
        id,
      );
    }
    const policy = conn.policy;
    const presence = topics.filter((t) => policy.presence(t) && !(conn.presenceTopics?.has(t) ?? false));
    const history = topics.filter((t) => policy.history(t) !== null);
    if (presence.length === 0 && history.length === 0) {
      this.subscribed(conn, topics, frame);
      if (id !== undefined) this.send(conn, encodeControl({ type: 'ack', id, topics }));
      this.hooks.notify('onSubscribe', this.onHookError, conn, topics);
      return;
    }
    const joined = this.joinPresence(conn, presence).catch(() => {
      this.error(conn, ErrorCode.Unavailable, 'presence is unavailable; try again', id);
      return undefined;
    });
    return joined.then((full) => {
      if (conn.state !== ConnState.Open || full === undefined) return;
      if (full !== null) {
        return this.error(
          conn,
          ErrorCode.PresenceFull,
          `topic has the most members the app allows (${policy.presenceMaxMembers})`,
          id,
          full,
        );
      }
      this.subscribed(conn, topics, frame);
      // Live messages of the history topics wait from here until the replay (or position) is written.
      conn.recovering ??= new Map();
      for (const t of history) conn.recovering.set(t, []);
      return this.recover(conn, topics, history, frame?.since ?? {}, id);
    });
  }

  /** Adds the connection to the index (and its join/leave interest). */
  private subscribed(conn: Connection, topics: readonly string[], frame?: SubscribeFrame): void {
    this.hub.subscribe(conn, topics);
    if (frame?.joinLeave === true) {
      for (const t of topics) if (conn.policy.presence(t)) (conn.joinLeave ??= new Set()).add(t);
    }
  }

  /**
   * Joins the presence topics; on a full one leaves the others again and resolves to its name. Rejects
   * (after leaving the others) when a join could not be decided (the cluster's topic-service unreachable).
   */
  private async joinPresence(conn: Connection, topics: readonly string[]): Promise<string | null> {
    if (topics.length === 0) return null;
    const member = { clientId: conn.id, userId: conn.userId, info: conn.info };
    const limit = conn.policy.presenceMaxMembers;
    const results = await Promise.allSettled(
      topics.map((t) => this.router.presenceJoin(conn.appId, t, member, this.hub.nodeId, limit)),
    );
    const result = (i: number): string => {
      const r = results[i]!;
      return r.status === 'fulfilled' ? r.value : 'failed';
    };
    const failed = results.some((r) => r.status === 'rejected');
    const full = topics.find((_, i) => result(i) === 'full') ?? null;
    const joined = topics.filter((_, i) => result(i) === 'joined' || result(i) === 'present');
    if (failed || full !== null || conn.state !== ConnState.Open) {
      for (const t of joined) this.router.presenceLeave(conn.appId, t, conn.id);
      if (failed && conn.state === ConnState.Open) throw new Error('presence join failed');
      return full ?? '';
    }
    for (const t of joined) (conn.presenceTopics ??= new Set()).add(t);
    return null;
  }

  /**
   * Replays what a history topic's client missed (with `since`) or just reads where the stream is, then
   * acks with `recovery` / `positions`, then writes the live messages that arrived meanwhile, minus those
   * the replay already had: no gap and no duplicate, whatever raced the replay.
   */
  private async recover(
    conn: Connection,
    topics: readonly string[],
    history: readonly string[],
    since: Readonly<Record<string, StreamPosition>>,
    id: RequestId | undefined,
  ): Promise<void> {
    let reads: HistoryRead[];
    try {
      reads = await Promise.all(
        history.map((t) =>
          this.router.history(
            conn.appId,
            t,
            since[t] !== undefined ? { since: since[t], limit: MAX_REPLAY } : { limit: 0 },
          ),
        ),
      );
    } catch {
      for (const t of history) this.flushRecovery(conn, t, -1);
      this.hub.unsubscribe(conn, history);
      return this.error(conn, ErrorCode.Unavailable, 'history is unavailable; try again', id);
    }
    if (conn.state !== ConnState.Open) return;
    const recovery: Record<string, Recovery> = {};
    const positions: Record<string, StreamPosition> = {};
    const after: Array<[string, number]> = [];
    history.forEach((t, i) => {
      const read = reads[i]!;
      const { epoch } = read.position;
      if (since[t] !== undefined) {
        for (const m of read.messages) {
          this.hub.write(conn, frameText(encodeMessage('topic', t, m.dataJson, m.id, m.ts, m.offset, epoch)));
        }
        recovery[t] = { recovered: read.recovered, offset: read.position.offset, epoch };
        after.push([t, read.position.offset]);
      } else {
        // A fresh subscriber's position: just before the first live message it will get.
        const first = conn.recovering?.get(t)?.[0];
        positions[t] = { offset: first === undefined ? read.position.offset : first.offset - 1, epoch };
        after.push([t, -1]);
      }
    });
    const ack = { type: 'ack' as const, id: id ?? '', topics: [...topics] };
    if (id !== undefined) {
      this.send(
        conn,
        encodeControl({
          ...ack,
          ...(Object.keys(recovery).length > 0 && { recovery }),
          ...(Object.keys(positions).length > 0 && { positions }),
        }),
      );
    }
    for (const [t, last] of after) this.flushRecovery(conn, t, last);
    this.hooks.notify('onSubscribe', this.onHookError, conn, [...topics]);
  }

  /** Ends a topic's recovery: writes what waited, past `last` (the replay's last offset; -1: everything). */
  private flushRecovery(conn: Connection, topic: string, last: number): void {
    const waiting = conn.recovering?.get(topic);
    if (waiting === undefined || conn.recovering === null) return;
    conn.recovering.delete(topic);
    if (conn.recovering.size === 0) conn.recovering = null;
    if (waiting.length > MAX_RECOVERY_BUFFER) {
      this.events?.close(conn, 4008, 'slow consumer: too much arrived during history replay');
      return;
    }
    for (const w of waiting) if (w.offset > last) this.hub.write(conn, w.frame);
  }

  private presence(
    conn: Connection,
    type: 'presence' | 'presence_stats',
    topic: string,
    id: RequestId | undefined,
  ): Done {
    if (!this.checkTopics(conn, [topic], id)) return;
    if (!conn.maySubscribe(topic)) {
      return this.error(conn, ErrorCode.Forbidden, 'the token does not allow this topic', id, topic);
    }
    if (!conn.policy.presence(topic)) {
      return this.error(conn, ErrorCode.NoPresence, 'the app has no presence on this topic', id, topic);
    }
    const reply =
      type === 'presence'
        ? this.router
            .presenceMembers(conn.appId, topic, conn.policy.presenceMaxMembers)
            .then((members) => encodeControl({ type, ...withId(id), topic, members }))
        : this.router
            .presenceStats(conn.appId, topic)
            .then((st) => encodeControl({ type, ...withId(id), topic, ...st }));
    return reply.then(
      (text) => this.send(conn, text),
      () => this.error(conn, ErrorCode.Unavailable, 'presence is unavailable; try again', id),
    );
  }

  private refresh(conn: Connection, token: string, id: RequestId | undefined): Done {
    if (this.events === undefined)
      return this.error(conn, ErrorCode.UnknownType, 'refresh is not supported', id);
    return this.events.refresh(conn, token).then(
      (expiresAt) => {
        if (id !== undefined) this.send(conn, encodeControl({ type: 'ack', id, expiresAt }));
      },
      (err: unknown) => {
        // A refused refresh leaves the connection as it was, still bound by the old token's expiry.
        this.error(
          conn,
          ErrorCode.Forbidden,
          err instanceof Error ? clip(err.message, 200) : 'refresh refused',
          id,
        );
      },
    );
  }

  private unsubscribe(conn: Connection, topics: string[], id?: RequestId): void {
    if (!this.checkTopics(conn, topics, id)) return;
    const removed = topics.filter((t) => conn.topics.has(t));
    this.hub.unsubscribe(conn, removed);
    for (const t of removed) {
      conn.joinLeave?.delete(t);
      this.flushRecovery(conn, t, Infinity);
      if (conn.presenceTopics?.delete(t) === true) this.router.presenceLeave(conn.appId, t, conn.id);
    }
    if (id !== undefined) this.send(conn, encodeControl({ type: 'ack', id, topics }));
    if (removed.length > 0) this.hooks.notify('onUnsubscribe', this.onHookError, conn, removed);
  }

  private publish(conn: Connection, topics: string[], data: unknown, id?: RequestId): Done {
    if (!conn.publishes.take(this.clock.now())) {
      return this.error(
        conn,
        ErrorCode.RateLimited,
        `at most ${conn.limits.publishRate} publishes per second`,
        id,
      );
    }
    if (this.tooMany(conn, topics, this.limits.maxTopicsPerPublish, 'publish', id)) return;
    if (!this.checkTopics(conn, topics, id)) return;
    const decided = this.hooks.onPublish(conn, { topics, data });
    if (decided instanceof Promise) {
      return decided.then(
        (d) => this.finishPublish(conn, d, id),
        (err) => this.hookFailed(conn, err, id),
      );
    }
    this.finishPublish(conn, decided, id);
  }

  /**
   * Routes an accepted publish. The router is called now, in frame order; its ack (or `unavailable`)
   * is sent when it settles, while the connection's next frames are already being handled.
   */
  private finishPublish(
    conn: Connection,
    decided: Awaited<ReturnType<HookChain['onPublish']>>,
    id?: RequestId,
  ): void {
    if (conn.state !== ConnState.Open) return;
    if (isRefusal(decided)) return this.error(conn, decided.code ?? ErrorCode.Refused, decided.refuse, id);
    const topics = [...new Set(decided.topics)];
    if (topics.length === 0)
      return this.error(conn, ErrorCode.MissingTopic, 'no topic left to publish to', id);
    if (this.tooMany(conn, topics, this.limits.maxTopicsPerPublish, 'publish', id)) return;
    if (!this.checkTopics(conn, topics, id)) return;
    const dataJson = JSON.stringify(decided.data);
    if (dataJson === undefined) return this.error(conn, ErrorCode.BadFrame, '"data" must be JSON', id);
    if (dataJson.length > conn.limits.maxDataBytes) {
      return this.error(
        conn,
        ErrorCode.PayloadTooLarge,
        `data is larger than ${conn.limits.maxDataBytes} bytes`,
        id,
      );
    }
    this.publishes.value++;
    this.router.publish(conn.appId, topics, dataJson, historyOptions(conn.policy, topics)).then(
      (receipt) => {
        if (id === undefined) return;
        this.send(
          conn,
          encodeControl({
            type: 'ack',
            id,
            topics,
            msgId: receipt.id,
            ...(receipt.positions !== undefined && { positions: receipt.positions }),
          }),
        );
      },
      () => this.error(conn, ErrorCode.Unavailable, 'publish could not be routed; try again', id),
    );
  }

  private hookFailed(conn: Connection, err: unknown, id?: RequestId): void {
    this.onHookError(err);
    this.error(conn, ErrorCode.Internal, 'a server hook failed', id);
  }
}

function idOf(frame: ClientFrame): { id?: RequestId } {
  return withId(frame.id);
}

function withId(id: RequestId | undefined): { id?: RequestId } {
  return id === undefined ? {} : { id };
}
