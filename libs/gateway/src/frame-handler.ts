import {
  encodeControl,
  ErrorCode,
  isValidTopic,
  parseClientFrame,
  type ClientFrame,
  type ErrorFrame,
  type RequestId,
} from '@beacon/protocol';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import type { Router } from '@beacon/routing';
import { ConnState, type Connection } from './connection.js';
import type { GatewayLimits } from './gateway.options.js';
import type { HookChain } from './hook-chain.js';
import { isRefusal } from './hooks.js';
import type { Hub } from './hub.js';

type Done = void | Promise<void>;

/**
 * Handles one parsed client frame at a time for a connection. Control replies (ack, error, pong) go
 * through ws; deliveries never pass here.
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

  handle(conn: Connection, data: Buffer | string): Done {
    const parsed = parseClientFrame(typeof data === 'string' ? data : data.toString('utf8'));
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
    if (conn.state !== ConnState.Open) return;
    this.hub.flushConnection(conn); // deliveries queued before this reply go out before it
    conn.ws.send(text);
  }

  private checkTopics(conn: Connection, topics: readonly unknown[], id?: RequestId): boolean {
    for (const t of topics) {
      if (!isValidTopic(t, this.limits.maxTopicLength)) {
        const shown = String(t).slice(0, 256);
        this.error(conn, ErrorCode.InvalidTopic, `invalid topic name ${JSON.stringify(shown)}`, id, shown);
        return false;
      }
    }
    return true;
  }

  private subscribe(conn: Connection, requested: string[], id?: RequestId): Done {
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
    if (decided !== undefined && !this.checkTopics(conn, topics, id)) return;
    let added = 0;
    for (const t of topics) if (!conn.topics.has(t)) added++;
    if (conn.topics.size + added > this.limits.maxTopicsPerConnection) {
      return this.error(
        conn,
        ErrorCode.TooManyTopics,
        `at most ${this.limits.maxTopicsPerConnection} topics per connection`,
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
        `at most ${this.limits.publishRate} publishes per second`,
        id,
      );
    }
    if (!this.checkTopics(conn, topics, id)) return;
    const decided = this.hooks.onPublish(conn, { topics, data });
    if (decided instanceof Promise) {
      return decided.then(
        (d) => this.finishPublish(conn, d, id),
        (err) => this.hookFailed(conn, err, id),
      );
    }
    return this.finishPublish(conn, decided, id);
  }

  private finishPublish(
    conn: Connection,
    decided: Awaited<ReturnType<HookChain['onPublish']>>,
    id?: RequestId,
  ): Done {
    if (conn.state !== ConnState.Open) return;
    if (isRefusal(decided)) return this.error(conn, decided.code ?? ErrorCode.Refused, decided.refuse, id);
    const topics = [...new Set(decided.topics)];
    if (topics.length === 0)
      return this.error(conn, ErrorCode.MissingTopic, 'no topic left to publish to', id);
    if (!this.checkTopics(conn, topics, id)) return;
    const dataJson = JSON.stringify(decided.data);
    if (dataJson === undefined) return this.error(conn, ErrorCode.BadFrame, '"data" must be JSON', id);
    if (dataJson.length > this.limits.maxFrameBytes) {
      return this.error(
        conn,
        ErrorCode.PayloadTooLarge,
        `data is larger than ${this.limits.maxFrameBytes} bytes`,
        id,
      );
    }
    this.publishes.value++;
    return this.router.publish(conn.appId, topics, dataJson).then(
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
