import type {
  AckFrame,
  ConnectedFrame,
  ErrorFrame,
  MessageFrame,
  PresenceFrame,
  PresenceMember,
  PresenceStatsFrame,
  ServerFrame,
  StreamPosition,
} from '@beacon/protocol';
import { backoffDelay, backoffOptions, type Backoff } from './backoff.js';
import { closeAction } from './close-policy.js';
import { Emitter } from './emitter.js';
import { BeaconError } from './errors.js';
import { Requests } from './requests.js';
import { Subscription } from './subscription.js';
import { refreshAt, tokenExpiry } from './token.js';
import type {
  BeaconEvents,
  BeaconOptions,
  PresenceStats,
  PublishResult,
  State,
  SubscriptionHandlers,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';

type Timer = ReturnType<typeof setTimeout> | undefined;

/** Close code the SDK reports when it gives up on a silent connection itself. */
const SILENT = 4009;
/** How late the answer to a ping may be, at most (less when the server's own timeout is nearer). */
const MAX_GRACE = 10_000;

/**
 * A connection to Beacon that stays up: it reconnects with backoff, subscribes again, recovers what it
 * missed on history topics, refreshes its token and answers heartbeats. See docs/client.md.
 */
export class Beacon extends Emitter<BeaconEvents> {
  state: State = 'disconnected';
  /** The current connection's `connected` frame (client id, limits, heartbeat). */
  info: ConnectedFrame | undefined;

  private readonly urls: string[];
  private readonly WS: WebSocketConstructor;
  private readonly backoff: Backoff | undefined;
  private readonly subs = new Map<string, Subscription>();
  private readonly requests = new Requests();
  private ws: WebSocketLike | undefined;
  private token: string | undefined;
  private needToken = false;
  private refreshUnsupported = false;
  private attempt = 0;
  /** When the current outage began (the first close or failure since the last `connected`). */
  private lostAt = 0;
  private urlIndex = 0;
  /** Bumped whenever the connection in hand changes or ends: late callbacks of an old one are ignored. */
  private gen = 0;
  private lastSeen = 0;
  private drainMs: number | undefined;
  private flushing = false;
  /** Subscriptions whose subscribe frame went out on the current connection. */
  private sent = new WeakSet<Subscription>();
  private connectTimer: Timer;
  private retryTimer: Timer;
  private refreshTimer: Timer;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private watchdog: Timer;

  constructor(private readonly options: BeaconOptions) {
    super();
    this.urls = ([] as string[]).concat(options.url);
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS)
      throw new TypeError('no WebSocket: pass one as the WebSocket option (Node 20: the "ws" package)');
    this.WS = WS;
    this.token = options.token;
    this.backoff = options.reconnect === false ? undefined : backoffOptions(options.reconnect);
    if (options.autoConnect !== false) this.connect();
  }

  /** Starts connecting (after `close()`, or with `autoConnect: false`). */
  connect(): void {
    if (this.state !== 'disconnected') return;
    this.attempt = 0;
    void this.open();
  }

  /** Closes the connection and stops reconnecting; subscriptions are kept for a later `connect()`. */
  close(): void {
    this.end();
    this.requests.drop(new BeaconError('closed', 'closed by the client'), true);
    this.setState('disconnected');
  }

  /** Subscribes to `topic` now and after every reconnect. */
  subscribe(topic: string, handlers: SubscriptionHandlers = {}): Subscription {
    if (this.subs.has(topic))
      throw new BeaconError('already_subscribed', `already subscribed to ${topic}`, topic);
    const sub = new Subscription(topic, handlers, this);
    this.subs.set(topic, sub);
    this.queueFlush();
    return sub;
  }

  /** The subscription to `topic`, if any. */
  subscription(topic: string): Subscription | undefined {
    return this.subs.get(topic);
  }

  /** @internal called by Subscription.unsubscribe */
  unsubscribe(sub: Subscription): void {
    if (this.subs.get(sub.topic) !== sub) return;
    this.subs.delete(sub.topic);
    this.send(JSON.stringify({ type: 'unsubscribe', topic: sub.topic }));
  }

  /**
   * Publishes `data` to `topic`; settles with the server's ack or error. Called while not connected, it
   * waits for the connection (within the timeout).
   */
  async publish(topic: string, data: unknown, options: { timeoutMs?: number } = {}): Promise<PublishResult> {
    const max = this.info?.limits.maxFrameBytes;
    // The gateway closes a client sending a frame over its limit (1009); refuse it here instead.
    const size = () =>
      new TextEncoder().encode(JSON.stringify({ type: 'publish', topic, data, id: 1e9 })).length;
    if (max !== undefined && size() > max) {
      throw new BeaconError('payload_too_large', `data is larger than ${max} bytes`, topic);
    }
    const ack = await this.request<AckFrame>({ type: 'publish', topic, data }, options.timeoutMs);
    const result: PublishResult = {};
    if (ack.msgId !== undefined) result.msgId = ack.msgId;
    const position = ack.positions?.[topic];
    if (position) result.position = position;
    return result;
  }

  /** Who is in a presence topic (the client must be allowed to subscribe to it). */
  async presence(topic: string): Promise<PresenceMember[]> {
    return (await this.request<PresenceFrame>({ type: 'presence', topic })).members;
  }

  async presenceStats(topic: string): Promise<PresenceStats> {
    const f = await this.request<PresenceStatsFrame>({ type: 'presence_stats', topic });
    return { clients: f.clients, users: f.users };
  }

  private request<T>(frame: object, timeoutMs = this.options.requestTimeoutMs ?? 10_000): Promise<T> {
    return this.requests.add<T>(frame, timeoutMs, false, (t) => this.state === 'connected' && this.send(t));
  }

  private setState(next: State): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.emit('state', next, prev);
  }

  private send(text: string): boolean {
    if (!this.ws || this.state !== 'connected') return false;
    this.ws.send(text);
    return true;
  }

  // ---- connection lifecycle ----

  private async open(): Promise<void> {
    const gen = ++this.gen;
    this.setState('connecting');
    const { getToken } = this.options;
    let token = this.token;
    if (getToken && (token === undefined || this.needToken || this.expiresSoon(token))) {
      try {
        token = await getToken();
        if (!token) throw new Error('getToken returned no token');
      } catch (err) {
        if (gen !== this.gen) return;
        this.emit('error', new BeaconError('token', `getToken failed: ${String(err)}`));
        return this.lost(0, 'getToken failed', 'retry');
      }
      if (gen !== this.gen) return;
      this.token = token;
      this.needToken = false;
    }
    const base = this.urls[this.urlIndex++ % this.urls.length] as string;
    // frames=beacon: Beacon's server frames even where the app's default is firetower's (for its old pages).
    const q = `${base.includes('?') ? '&' : '?'}app=${encodeURIComponent(this.options.app)}&frames=beacon`;
    const ws = new this.WS(base + q + (token ? `&token=${encodeURIComponent(token)}` : ''));
    this.ws = ws;
    this.connectTimer = setTimeout(
      () => this.drop(SILENT, 'connect timeout'),
      this.options.connectTimeoutMs ?? 10_000,
    );
    ws.onmessage = (e: { data: unknown }) => {
      if (ws === this.ws) this.onFrame(String(e.data));
    };
    ws.onclose = (e: { code: number; reason: string }) => {
      if (ws === this.ws) this.onClose(e.code, e.reason);
    };
    ws.onerror = () => undefined; // a close follows
  }

  private expiresSoon(token: string): boolean {
    const exp = tokenExpiry(token);
    return exp !== undefined && exp - Date.now() < 1000;
  }

  /** Gives up on the current socket now (no close frame needed from the other side). */
  private drop(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    try {
      ws.close(1000, reason);
    } catch {
      // already closing
    }
    this.onClose(code, reason);
  }

  private end(): void {
    this.gen++;
    clearTimeout(this.connectTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    clearInterval(this.heartbeat);
    clearTimeout(this.watchdog);
    const ws = this.ws;
    this.ws = undefined;
    this.info = undefined;
    this.sent = new WeakSet();
    for (const s of this.subs.values()) s.reset();
    if (ws) {
      ws.onclose = ws.onmessage = ws.onopen = null;
      try {
        ws.close(1000);
      } catch {
        // never opened
      }
    }
  }

  private onClose(code: number, reason: string): void {
    const action = closeAction(code, this.options.getToken !== undefined);
    this.end();
    this.requests.drop(new BeaconError('disconnected', `connection lost (${code})`), false);
    this.lost(code, reason, action);
  }

  private lost(code: number, reason: string, action: 'retry' | 'token' | 'stop'): void {
    if (action === 'token') this.needToken = true;
    const b = this.backoff;
    let delay: number | null = null;
    if (this.attempt === 0) this.lostAt = Date.now();
    if (action !== 'stop' && b && this.attempt < b.maxAttempts) {
      delay = this.drainMs ?? backoffDelay(this.attempt++, b, Date.now() - this.lostAt);
    }
    this.drainMs = undefined;
    this.emit('disconnected', { code, reason, reconnectInMs: delay });
    if (delay === null) {
      this.requests.drop(new BeaconError('disconnected', `disconnected (${code})`), true);
      return this.setState('disconnected');
    }
    this.setState('connecting');
    const gen = this.gen;
    this.retryTimer = setTimeout(() => {
      if (gen === this.gen) void this.open();
    }, delay);
  }

  private onFrame(text: string): void {
    this.lastSeen = Date.now();
    let f: ServerFrame;
    try {
      f = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    switch (f.type) {
      case 'connected':
        return this.onConnected(f);
      case 'message':
        return this.onMessage(f);
      case 'ack':
      case 'presence':
      case 'presence_stats':
        this.requests.settle(f.id, f);
        return;
      case 'error':
        if (!this.requests.settle(f.id, toError(f))) this.emit('error', toError(f));
        return;
      case 'join':
      case 'leave': {
        const { type, topic, ...member } = f;
        this.subs.get(topic)?.member(type, member);
        return;
      }
      case 'drain':
        this.drainMs = f.reconnectAfterMs;
        return;
    }
  }

  private onConnected(f: ConnectedFrame): void {
    clearTimeout(this.connectTimer);
    this.info = f;
    this.attempt = 0;
    this.setState('connected');
    this.emit('connected', f);
    const { interval, timeout } = f.heartbeat;
    if (interval > 0) {
      // The server answers every ping: silence past the interval plus a grace means a dead path.
      this.heartbeat = setInterval(() => this.send('{"type":"ping"}'), interval);
      this.watch(interval + Math.min(MAX_GRACE, timeout > interval ? timeout - interval : MAX_GRACE));
    }
    this.scheduleRefresh();
    this.flushSubscriptions();
    this.requests.flush((t) => this.send(t));
  }

  /** Drops the connection once nothing at all came from the server for `limit` ms. */
  private watch(limit: number, late = false): void {
    const due = this.lastSeen + limit - Date.now();
    if (due > 0) this.watchdog = setTimeout(() => this.watch(limit), due);
    // A due timer can run before socket data that arrived meanwhile is read (Node runs timers first, and
    // after a sleep or a busy loop everything is due at once): look again after one turn of the loop.
    else if (!late) this.watchdog = setTimeout(() => this.watch(limit, true), 0);
    else this.drop(SILENT, 'heartbeat timeout');
  }

  private onMessage(m: MessageFrame): void {
    const sub = m.topic === undefined ? undefined : this.subs.get(m.topic);
    // Servers older than the `kind` field: a delivery on a subscribed topic is that topic's.
    if (sub && (m.kind === 'topic' || m.kind === undefined)) sub.deliver(m);
    else if (m.kind !== 'topic') this.emit('message', m);
  }

  // ---- subscriptions ----

  private queueFlush(): void {
    if (this.flushing || this.state !== 'connected') return;
    this.flushing = true;
    queueMicrotask(() => this.flushSubscriptions());
  }

  /** Subscribes every subscription not yet sent on this connection, in as few frames as the limits allow. */
  private flushSubscriptions(): void {
    this.flushing = false;
    if (this.state !== 'connected') return;
    const todo = [...this.subs.values()].filter((s) => !this.sent.has(s));
    const max = this.info?.limits.maxTopics ?? 100;
    for (const joinLeave of [false, true]) {
      const group = todo.filter((s) => s.joinLeave === joinLeave);
      for (let i = 0; i < group.length; i += max) this.subscribeFrame(group.slice(i, i + max), joinLeave);
    }
  }

  private subscribeFrame(batch: Subscription[], joinLeave: boolean): void {
    const since: Record<string, StreamPosition> = {};
    let recovering = false;
    for (const s of batch) {
      this.sent.add(s);
      const p = s.sending();
      if (p) {
        since[s.topic] = p;
        recovering = true;
      }
    }
    const frame = {
      type: 'subscribe',
      topics: batch.map((s) => s.topic),
      ...(recovering && { since }),
      ...(joinLeave && { joinLeave }),
    };
    const gen = this.gen;
    this.requests
      .add<AckFrame>(frame, 0, true, (t) => this.send(t))
      .then(
        (ack) => {
          for (const s of batch) {
            if (this.subs.get(s.topic) === s) s.acked(ack.recovery?.[s.topic], ack.positions?.[s.topic]);
          }
        },
        (err: BeaconError) => {
          if (gen !== this.gen || err.code === 'disconnected' || err.code === 'closed') return;
          // A subscribe is all or nothing: find which topics the server refuses, one by one.
          if (batch.length > 1) for (const s of batch) this.subscribeFrame([s], joinLeave);
          else for (const s of batch) this.refused(s, err);
        },
      );
  }

  private refused(s: Subscription, err: BeaconError): void {
    if (this.subs.get(s.topic) !== s) return;
    this.subs.delete(s.topic);
    s.failed(new BeaconError(err.code, err.message, s.topic));
  }

  // ---- tokens ----

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const exp = this.token === undefined ? undefined : tokenExpiry(this.token);
    if (!this.options.getToken || exp === undefined) return;
    const at = refreshAt(exp, Date.now(), this.options.refreshBeforeExpMs ?? 60_000);
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(0, at - Date.now()));
  }

  /** A fresh token before `exp`: sent over the open connection, or by reconnecting where the server cannot. */
  private async refresh(): Promise<void> {
    const gen = this.gen;
    let token: string;
    try {
      token = await (this.options.getToken as () => string | Promise<string>)();
    } catch (err) {
      this.emit('error', new BeaconError('token', `getToken failed: ${String(err)}`));
      return; // the server closes with 4002 at exp, and the reconnect asks again
    }
    if (!token) return;
    this.token = token;
    this.needToken = false;
    if (gen !== this.gen || this.state !== 'connected') return;
    if (this.refreshUnsupported) return this.reconnectNow();
    this.requests
      .add<AckFrame>({ type: 'refresh', token }, this.options.requestTimeoutMs ?? 10_000, true, (t) =>
        this.send(t),
      )
      .then(
        () => {
          if (gen === this.gen) this.scheduleRefresh();
        },
        (err: BeaconError) => {
          if (gen !== this.gen) return;
          if (err.code === 'unknown_type') {
            this.refreshUnsupported = true;
            this.reconnectNow();
          } else this.emit('error', err);
        },
      );
  }

  /** Replaces the connection at once (a new token the server cannot take over an open connection). */
  private reconnectNow(): void {
    this.drainMs = 0;
    this.drop(1000, 'token refresh');
  }
}

function toError(f: ErrorFrame): BeaconError {
  return new BeaconError(f.code, f.message, f.topic);
}
