import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import { CLOSE_REASONS, CloseCode, encodeControl, truncateUtf8, type ConnectedFrame } from '@beacon/protocol';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import {
  appPolicy,
  clientIdSequence,
  LocalAdmission,
  systemClock,
  type Clock,
  type IdSequence,
  type ConnectionAdmission,
  type GatewayRouter,
} from '@beacon/routing';
import type { WebSocket } from 'ws';
import type { AppDirectory } from './app-directory.js';
import { ConnectAuthenticator, ConnectRefused } from './auth.js';
import { BINARY_FRAME, Connection, ConnState, type Identity } from './connection.js';
import { FrameLoop } from './frame-loop.js';
import { connectionLimitsFor, type GatewayLimits } from './gateway.options.js';
import { HookChain } from './hook-chain.js';
import type { ClientInfo, GatewayHooks } from './hooks.js';
import { isRefusal } from './hooks.js';
import { Hub } from './hub.js';
import { wsErrorCloseCode } from './ws-errors.js';
import { frameText } from './ws-frame.js';

const FIRETOWER_HEARTBEAT = frameText('heartbeat');

/**
 * Owns every client connection of this node: connect, admission and authentication, the inbound frame
 * loop (FrameLoop), closing with documented codes, heartbeats, token expiry and slow-consumer
 * enforcement. No close path throws: every one ends in `shut`, which only does bookkeeping.
 */
export class ClientGateway {
  readonly hub: Hub;
  private readonly logger = new Logger('Gateway');
  private readonly auth: ConnectAuthenticator;
  private readonly hooks: HookChain;
  private readonly loop: FrameLoop;
  private readonly clientIds: IdSequence;
  private readonly accepted: Counter;
  private readonly hookErrors: Counter;
  private readonly onHookError: (err: unknown) => void;
  private stopSweep: (() => void) | undefined;

  constructor(
    readonly nodeId: string,
    private readonly limits: GatewayLimits,
    private readonly apps: AppDirectory,
    private readonly router: GatewayRouter,
    hooks: readonly GatewayHooks[],
    private readonly metrics: MetricsRegistry,
    /** Per-app connection slots (`maxConnections`): this node's by default, the cluster's when injected. */
    private readonly admission: ConnectionAdmission = new LocalAdmission(),
    /** Every time read and timer: token expiry, heartbeats, deadlines, rate limits (specs use a ManualClock). */
    private readonly clock: Clock = systemClock,
  ) {
    this.hub = new Hub(nodeId, limits.outboundBudgetBytes, metrics);
    this.auth = new ConnectAuthenticator(apps, limits.maxTopicLength, clock);
    this.hooks = new HookChain(hooks);
    this.clientIds = clientIdSequence(nodeId);
    this.accepted = metrics.counter('beacon_connections_accepted_total', 'Connections that authenticated');
    this.hookErrors = metrics.counter('beacon_hook_errors_total', 'Hooks that threw or rejected');
    this.onHookError = (err: unknown): void => {
      this.hookErrors.value++;
      this.logger.error(`hook failed: ${String(err).slice(0, 500)}`);
    };
    this.loop = new FrameLoop(
      this.hub,
      router,
      this.hooks,
      limits,
      metrics,
      this.onHookError,
      this.logger,
      {
        close: (conn, code, reason) => this.close(conn, code, reason),
        refresh: (conn, token) => this.refresh(conn, token),
      },
      clock,
    );
    this.hub.events = {
      slowConsumer: (conn, buffered) => this.slowConsumer(conn, buffered),
      kick: (conn) => this.close(conn, CloseCode.Kicked),
    };
  }

  start(sweepIntervalMs: number): void {
    this.router.attach(this.hub);
    const tick = (): void => {
      this.stopSweep = this.clock.setTimer(tick, sweepIntervalMs);
      this.sweep(this.clock.now());
    };
    this.stopSweep = this.clock.setTimer(tick, sweepIntervalMs);
  }

  /** True from the start of a drain: new connections are refused and readiness reports it. */
  draining = false;
  /** Sockets connected and not yet closed (whatever their state): what a drain waits for. */
  private readonly sockets = new Set<WebSocket>();

  /**
   * Graceful drain (SIGTERM): refuses new connections from now, tells each client to reconnect elsewhere
   * after a jittered delay (a `drain` frame, then close 1012 once its queued deliveries are written), and
   * resolves when every connection is gone or `drainMs` passed, whichever is first.
   */
  async drain(drainMs = this.limits.drainMs): Promise<void> {
    this.draining = true;
    const spread = Math.max(500, Math.min(drainMs, 5_000));
    for (const conn of [...this.hub.all()]) {
      const reconnectAfterMs = Math.round(250 + Math.random() * spread);
      if (conn.state === ConnState.Open)
        this.hub.write(conn, frameText(encodeControl({ type: 'drain', reconnectAfterMs })));
      this.close(conn, CloseCode.ServiceRestart, `server draining: reconnect in ${reconnectAfterMs} ms`);
    }
    const deadline = this.clock.now() + drainMs;
    while (this.sockets.size > 0 && this.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimer(resolve, 25));
    }
    // Past the drain time: whoever did not leave is cut, so shutdown does not wait for the close grace.
    for (const ws of this.sockets) ws.terminate();
  }

  /** Closes every connection with 1001 and detaches from the router. */
  stop(): void {
    this.stopSweep?.();
    this.stopSweep = undefined;
    this.router.detach(this.hub);
    for (const conn of [...this.hub.all()]) this.close(conn, CloseCode.GoingAway);
  }

  connect(ws: WebSocket, req: IncomingMessage): void {
    if (this.draining) {
      ws.close(CloseCode.ServiceRestart, 'server draining');
      return;
    }
    const now = this.clock.now();
    const conn = new Connection(
      this.clientIds.next(),
      ws,
      req.socket,
      req.socket.remoteAddress ?? '',
      { ...this.limits, ...connectionLimitsFor(this.limits) },
      now,
    );
    const ua = req.headers['user-agent'];
    if (typeof ua === 'string' && ua !== '') conn.userAgent = ua.slice(0, 256);
    conn.busy = true; // frames queue until authenticated
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      conn.messagesIn++;
      conn.bytesIn += data.length;
      this.loop.receive(conn, isBinary ? BINARY_FRAME : data);
    });
    ws.on('ping', (data: Buffer) => this.loop.ping(conn, data));
    ws.on('pong', () => this.loop.pong(conn));
    // ws reports a protocol violation (oversize frame, invalid UTF-8, ...) after sending its close frame.
    ws.on('error', (err: Error) => this.protocolError(conn, err));
    this.sockets.add(ws);
    ws.once('close', (code: number, reason: Buffer) => {
      this.sockets.delete(ws);
      this.closed(conn, code, reason.toString());
    });
    req.socket.on('drain', () => {
      conn.pendingSince = 0;
      this.hub.drained(conn);
    });
    conn.closeTimer = this.clock.setTimer(() => {
      if (conn.state === ConnState.Authenticating)
        this.close(conn, CloseCode.Unauthorized, 'authentication timeout');
    }, this.limits.authTimeoutMs);
    this.authenticate(conn, new URL(req.url ?? '/', 'ws://localhost')).catch((err: unknown) =>
      this.connectFailed(conn, err),
    );
  }

  private async authenticate(conn: Connection, url: URL): Promise<void> {
    try {
      const frames = url.searchParams.get('frames');
      if (frames !== null && frames !== 'beacon' && frames !== 'firetower') {
        throw new ConnectRefused(CloseCode.BadRequest, 'bad "frames" query parameter: beacon or firetower');
      }
      const { identity, app } = await this.auth.authenticate(url);
      if (conn.state !== ConnState.Authenticating) return;
      // A slot is taken before the onConnect hooks run, so connections still in them count too.
      const taken = this.admission.acquire(app.id, app.settings.maxConnections);
      const admitted = typeof taken === 'boolean' ? taken : await taken;
      if (admitted) conn.slot = app.id;
      if (conn.state !== ConnState.Authenticating) return this.releaseSlot(conn); // left meanwhile
      if (!admitted) {
        throw new ConnectRefused(CloseCode.ConnectionLimit, CLOSE_REASONS[CloseCode.ConnectionLimit]);
      }
      conn.identify(identity);
      conn.applyLimits(connectionLimitsFor(this.limits, app.settings), this.clock.now());
      conn.policy = appPolicy(app.settings);
      // The client's `frames` (the SDK asks for beacon) wins over the app's default for its pages.
      conn.firetower = (frames ?? app.settings.serverFrames) === 'firetower';
      const verdict = await this.hooks.onConnect(conn);
      if (conn.state !== ConnState.Authenticating) return;
      if (isRefusal(verdict)) throw new ConnectRefused(CloseCode.ConnectRefused, verdict.refuse);
    } catch (err) {
      if (err instanceof ConnectRefused) this.close(conn, err.code, err.message);
      else this.connectFailed(conn, err);
      return;
    }
    this.open(conn);
  }

  private connectFailed(conn: Connection, err: unknown): void {
    this.logger.error(`connect failed: ${String(err).slice(0, 500)}`);
    this.close(conn, CloseCode.InternalError);
  }

  private open(conn: Connection): void {
    conn.closeTimer?.();
    conn.state = ConnState.Open;
    this.hub.add(conn);
    this.accepted.value++;
    const hello: ConnectedFrame = {
      type: 'connected',
      clientId: conn.id,
      userId: conn.userId,
      node: this.nodeId,
      heartbeat: { interval: this.limits.pingIntervalMs, timeout: this.limits.idleTimeoutMs },
      limits: {
        maxFrameBytes: this.limits.maxFrameBytes,
        maxTopics: conn.limits.maxTopics,
        maxPublishTopics: this.limits.maxTopicsPerPublish,
        maxTopicLength: this.limits.maxTopicLength,
        publishRate: conn.limits.publishRate,
        publishBurst: conn.limits.publishBurst,
      },
    };
    // firetower's server sends nothing on connect; its pages do not expect a first frame.
    if (!conn.firetower) this.hub.write(conn, frameText(encodeControl(hello)));
    this.loop.resume(conn);
  }

  /**
   * Closes with a documented code. The connection leaves every index at once (nothing more is
   * delivered to it); its socket gets `closeGraceMs` to flush the close frame, then is destroyed. What
   * was queued for it goes out before the close frame, except for a slow consumer: its queue is
   * dropped, so the close frame is next after what its socket already holds.
   */
  close(conn: Connection, code: CloseCode, reason: string = CLOSE_REASONS[code]): void {
    if (conn.state === ConnState.Closing) return;
    if (code === CloseCode.SlowConsumer) this.hub.discard(conn);
    else this.hub.flushConnection(conn, true);
    this.shut(conn, code, reason);
    try {
      conn.ws.close(code, truncateUtf8(reason));
    } catch {
      conn.ws.terminate();
    }
  }

  /** ws has already sent a close frame for a protocol violation: account for it as a server close. */
  private protocolError(conn: Connection, err: Error): void {
    if (conn.state === ConnState.Closing) return;
    this.hub.discard(conn); // nothing may follow the close frame
    const code = wsErrorCloseCode(err);
    this.shut(conn, code, CLOSE_REASONS[code]);
  }

  /** The bookkeeping of a server close; cannot throw. */
  private shut(conn: Connection, code: CloseCode, reason: string): void {
    conn.state = ConnState.Closing;
    conn.closedWith = { code, reason };
    this.loop.clear(conn);
    this.hub.remove(conn);
    this.leavePresence(conn);
    this.releaseSlot(conn);
    conn.closeTimer?.();
    this.hub.countClose(code);
    conn.closeTimer = this.clock.setTimer(() => conn.ws.terminate(), this.limits.closeGraceMs);
  }

  /**
   * The socket is gone, whoever closed it: leave every index and tell the hooks. Closing unsubscribes
   * everything, so onUnsubscribe runs for the topics it held, then onClose (which still sees them).
   */
  private closed(conn: Connection, code: number, reason: string): void {
    if (conn.state !== ConnState.Closing) {
      conn.state = ConnState.Closing;
      this.hub.countClose('client');
    }
    conn.closeTimer?.();
    this.loop.clear(conn);
    this.hub.discard(conn);
    this.hub.remove(conn);
    this.leavePresence(conn);
    this.releaseSlot(conn);
    if (conn.appId === '') return;
    if (conn.topics.size > 0) this.hooks.notify('onUnsubscribe', this.onHookError, conn, [...conn.topics]);
    this.hooks.notify('onClose', this.onHookError, conn, conn.closedWith ?? { code, reason });
  }

  /** Leaves every presence topic the connection is a member of (its leaves are told), once. */
  private leavePresence(conn: Connection): void {
    const topics = conn.presenceTopics;
    if (topics === null) return;
    conn.presenceTopics = null;
    for (const t of topics) this.router.presenceLeave(conn.appId, t, conn.id);
  }

  /** Gives the connection's admission slot back, once. */
  private releaseSlot(conn: Connection): void {
    const appId = conn.slot;
    if (appId === null) return;
    conn.slot = null;
    try {
      this.admission.release(appId);
    } catch (err) {
      this.logger.error(`admission release failed: ${String(err).slice(0, 500)}`);
    }
  }

  /**
   * Closes the app's connections that `match` selects (all of them without `match`) with `code`, and
   * returns how many. For changes made anywhere (an app disabled or deleted, a token key revoked),
   * reported to every process that holds connections.
   */
  /**
   * A `refresh` frame: a new token for the same app and user, verified like a connect token, so the
   * connection outlives the first token's `exp`. Claims, key and expiry are replaced; subscriptions stay.
   */
  private async refresh(conn: Connection, token: string): Promise<number> {
    const url = new URL('ws://localhost/ws');
    url.searchParams.set('app', conn.appKey);
    url.searchParams.set('token', token);
    let identity: Identity;
    try {
      ({ identity } = await this.auth.authenticate(url));
    } catch (err) {
      throw new Error(err instanceof ConnectRefused ? err.message : 'invalid token');
    }
    if (identity.appId !== conn.appId || identity.userId !== conn.userId) {
      throw new Error('the new token is for another app or user');
    }
    if (identity.keyId === null) throw new Error('a refresh needs a token');
    conn.identify(identity);
    return conn.expiresAt;
  }

  /**
   * Brings this node's connections of one app in line with what the app is now (the app change feed calls
   * it for every change, from any process): drops the cached app, re-reads it, then closes with 4003 every
   * connection of a deleted or disabled app, with 4001 every connection whose token key was revoked, and,
   * when the app stopped allowing anonymous clients, its anonymous connections. Returns how many it closed.
   */
  async reconcileApp(appId: string, appKey: string): Promise<number> {
    this.apps.invalidate?.(appKey);
    const app = await this.apps.findByKey(appKey);
    if (app === null || app.id !== appId || !app.enabled) {
      return this.closeApp(
        appId,
        CloseCode.AppDisabled,
        app === null || app.id !== appId ? 'app deleted' : 'app disabled',
      );
    }
    // changed limit overrides reach open connections too
    const limits = connectionLimitsFor(this.limits, app.settings);
    const now = this.clock.now();
    for (const conn of this.hub.appConnections(appId)) conn.applyLimits(limits, now);
    const policy = appPolicy(app.settings);
    for (const conn of this.hub.appConnections(appId)) conn.policy = policy;
    const kids = new Set(app.tokenKeys.map((k) => k.kid));
    let closed = this.closeApp(
      appId,
      CloseCode.Unauthorized,
      'token key revoked',
      (c) => c.keyId !== null && !kids.has(c.keyId),
    );
    if (!app.settings.allowAnonymous) {
      closed += this.closeApp(
        appId,
        CloseCode.Unauthorized,
        'anonymous clients not allowed',
        (c) => c.keyId === null,
      );
    }
    return closed;
  }

  closeApp(appId: string, code: CloseCode, reason?: string, match?: (client: ClientInfo) => boolean): number {
    const victims = [...this.hub.appConnections(appId)].filter((c) => match === undefined || match(c));
    for (const conn of victims) this.close(conn, code, reason);
    return victims.length;
  }

  private slowConsumer(conn: Connection, bufferedBytes: number): void {
    this.hooks.notify('onSlowConsumer', this.onHookError, conn, { bufferedBytes });
    this.close(conn, CloseCode.SlowConsumer);
  }

  /** Pings, idle timeouts, token expiry and write deadlines, in one pass over the node's connections. */
  sweep(now: number): void {
    const { pingIntervalMs, idleTimeoutMs, writeTimeoutMs } = this.limits;
    for (const conn of this.hub.all()) {
      if (now - conn.lastSeen > idleTimeoutMs) {
        this.close(conn, CloseCode.HeartbeatTimeout);
      } else if (conn.expiresAt !== 0 && now >= conn.expiresAt) {
        this.close(conn, CloseCode.TokenExpired);
      } else if (conn.raw.writableLength > 0) {
        if (conn.pendingSince === 0) conn.pendingSince = now;
        else if (now - conn.pendingSince > writeTimeoutMs) this.slowConsumer(conn, conn.raw.writableLength);
      } else if (now - conn.lastPing >= pingIntervalMs) {
        conn.lastPing = now;
        conn.ws.ping();
        // firetower's clients expect its "heartbeat" text frame (and ignore it); liveness stays the ping's.
        if (conn.firetower) this.hub.write(conn, FIRETOWER_HEARTBEAT);
      }
    }
  }
}
