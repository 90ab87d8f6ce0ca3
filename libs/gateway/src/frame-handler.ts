import {
  clip,
  DEFAULT_MAX_JSON_DEPTH,
  encodeControl,
  ErrorCode,
  isValidTopic,
  jsonDepthExceeds,
  parseClientFrame,
  type ClientFrame,
  type ErrorFrame,
  type RequestId,
} from '@beacon/protocol';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import type { Router } from '@beacon/routing';
import { BINARY_FRAME, ConnState, type Connection } from './connection.js';
import type { GatewayLimits } from './gateway.options.js';
import type { HookChain } from './hook-chain.js';
import { isRefusal } from './hooks.js';
import type { Hub } from './hub.js';
import { frameText } from './ws-frame.js';

/** A promise only while an async hook runs: the connection's next frames wait for it. */
type Done = void | Promise<void>;

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
    private readonly router: Router,
    private readonly hooks: HookChain,
    private readonly limits: GatewayLimits,
    metrics: MetricsRegistry,
    private readonly onHookError: (err: unknown) => void,
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
        return this.send(conn, encodeControl({ type: 'pong', ...idOf(frame), ts: Date.now() }));
      case 'subscribe':
        return this.subscribe(conn, frame.topics, frame.id);
      case 'unsubscribe':
        return this.unsubscribe(conn, frame.topics, frame.id);
      case 'publish':
        return this.publish(conn, frame.topics, frame.data, frame.id);
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

  private subscribe(conn: Connection, requested: string[], id?: RequestId): Done {
    // One frame cannot subscribe to more than a connection may hold: refused before any topic is checked.
    if (this.tooMany(conn, requested, conn.limits.maxTopics, 'connection', id)) return;
    if (!this.checkTopics(conn, requested, id)) return;
    const decided = this.hooks.beforeSubscribe(conn, requested);
    if (decided instanceof Promise) {
      return decided.then(
        (d) => this.finishSubscribe(conn, d, id),
        (err) => this.hookFailed(conn, err, id),
      );
    }
    this.finishSubscribe(conn, decided, id);
  }

  private finishSubscribe(
    conn: Connection,
    decided: Awaited<ReturnType<HookChain['beforeSubscribe']>>,
    id?: RequestId,
  ): void {
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
    this.hub.subscribe(conn, topics);
    if (id !== undefined) this.send(conn, encodeControl({ type: 'ack', id, topics }));
    this.hooks.notify('onSubscribe', this.onHookError, conn, topics);
  }

  private unsubscribe(conn: Connection, topics: string[], id?: RequestId): void {
    if (!this.checkTopics(conn, topics, id)) return;
    const removed = topics.filter((t) => conn.topics.has(t));
    this.hub.unsubscribe(conn, removed);
    if (id !== undefined) this.send(conn, encodeControl({ type: 'ack', id, topics }));
    if (removed.length > 0) this.hooks.notify('onUnsubscribe', this.onHookError, conn, removed);
  }

  private publish(conn: Connection, topics: string[], data: unknown, id?: RequestId): Done {
    if (!conn.publishes.take(Date.now())) {
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
    this.router.publish(conn.appId, topics, dataJson).then(
      (receipt) => {
        if (id !== undefined) this.send(conn, encodeControl({ type: 'ack', id, topics, msgId: receipt.id }));
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
  return frame.id === undefined ? {} : { id: frame.id };
}
