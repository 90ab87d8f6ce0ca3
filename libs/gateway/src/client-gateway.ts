import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import { CLOSE_REASONS, CloseCode, encodeControl, ErrorCode, type ConnectedFrame } from '@beacon/protocol';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import { IdSequence, LocalAdmission, type ConnectionAdmission, type Router } from '@beacon/routing';
import type { WebSocket } from 'ws';
import type { AppDirectory } from './app-directory.js';
import { ConnectAuthenticator, ConnectRefused } from './auth.js';
import { Connection, ConnState } from './connection.js';
import { FrameHandler } from './frame-handler.js';
import type { GatewayLimits } from './gateway.options.js';
import { HookChain } from './hook-chain.js';
import type { ClientInfo, GatewayHooks } from './hooks.js';
import { isRefusal } from './hooks.js';
import { Hub } from './hub.js';

/** Inbound frames a connection may have queued while one is being handled. */
const MAX_INBOX = 64;

/**
 * Owns every client connection of this node: connect and authentication, the inbound frame loop,
 * closing with documented codes, heartbeats, token expiry and slow-consumer enforcement.
 */
export class ClientGateway {
  readonly hub: Hub;
  private readonly logger = new Logger('Gateway');
  private readonly auth: ConnectAuthenticator;
  private readonly hooks: HookChain;
  private readonly frames: FrameHandler;
  private readonly clientIds: IdSequence;
  private readonly closes: Record<number, Counter> = {};
  private readonly accepted: Counter;
  private readonly disconnects: Counter;
  private readonly hookErrors: Counter;
  private readonly onHookError: (err: unknown) => void;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Connections holding one of their app's slots (taken by `admission.acquire`, given back once). */
  private readonly holding = new Set<Connection>();

  constructor(
    readonly nodeId: string,
    private readonly limits: GatewayLimits,
    apps: AppDirectory,
    private readonly router: Router,
    hooks: readonly GatewayHooks[],
    private readonly metrics: MetricsRegistry,
    private readonly admission: ConnectionAdmission = new LocalAdmission(),
  ) {
    this.hub = new Hub(nodeId, limits.outboundBudgetBytes, metrics);
    this.auth = new ConnectAuthenticator(apps);
    this.hooks = new HookChain(hooks);
    this.clientIds = new IdSequence(`c${nodeId}`);
    this.accepted = metrics.counter('beacon_connections_accepted_total', 'Connections that authenticated');
    this.disconnects = metrics.counter('beacon_client_disconnects_total', 'Connections closed by the client');
    this.hookErrors = metrics.counter('beacon_hook_errors_total', 'Hooks that threw or rejected');
    this.onHookError = (err: unknown): void => {
      this.hookErrors.value++;
      this.logger.error(`hook failed: ${String(err)}`);
    };
    this.frames = new FrameHandler(this.hub, router, this.hooks, limits, metrics, this.onHookError);
    this.hub.events = {
      slowConsumer: (conn, buffered) => this.slowConsumer(conn, buffered),
      kick: (conn) => this.close(conn, CloseCode.Kicked),
    };
    for (const code of Object.keys(CLOSE_REASONS)) {
      this.closes[Number(code)] = metrics.counter(
        `beacon_closed_${code}_total`,
        `Connections the server closed with code ${code} (${CLOSE_REASONS[Number(code) as CloseCode]})`,
      );
    }
  }

  start(sweepIntervalMs: number): void {
    this.router.attach(this.hub);
    this.sweepTimer = setInterval(() => this.sweep(Date.now()), sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Closes every connection with 1001 and detaches from the router. */
  stop(): void {
    clearInterval(this.sweepTimer);
    this.router.detach(this.hub);
    for (const conn of [...this.hub.all()]) this.close(conn, CloseCode.GoingAway);
  }

  connect(ws: WebSocket, req: IncomingMessage): void {
    const now = Date.now();
    const conn = new Connection(
      this.clientIds.next(),
      ws,
      req.socket,
      req.socket.remoteAddress ?? '',
      this.limits,
      now,
    );
    conn.busy = true; // frames queue until authenticated
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(conn, data, isBinary));
    ws.on('pong', () => {
      conn.lastSeen = Date.now();
    });
    ws.on('error', () => undefined); // ws closes the socket itself; 'close' below does the rest
    ws.once('close', (code: number, reason: Buffer) => this.closed(conn, code, reason.toString()));
    req.socket.on('drain', () => {
      conn.pendingSince = 0;
    });
    conn.closeTimer = setTimeout(() => {
      if (conn.state === ConnState.Authenticating)
        this.close(conn, CloseCode.Unauthorized, 'authentication timeout');
    }, this.limits.authTimeoutMs);
    conn.closeTimer.unref();
    void this.authenticate(conn, new URL(req.url ?? '/', 'ws://localhost'));
  }

  private async authenticate(conn: Connection, url: URL): Promise<void> {
    try {
      const { identity, app } = await this.auth.authenticate(url);
      if (conn.state !== ConnState.Authenticating) return;
      // A slot of the app's maxConnections, held until the connection ends (see release): taken
      // before the onConnect hooks run, so connections still in their hooks count too.
      const verdictOrPromise = this.admission.acquire(app.id, app.settings.maxConnections);
      const admitted = typeof verdictOrPromise === 'boolean' ? verdictOrPromise : await verdictOrPromise;
      if (!admitted) {
        throw new ConnectRefused(CloseCode.ConnectionLimit, CLOSE_REASONS[CloseCode.ConnectionLimit]);
      }
      if (conn.state !== ConnState.Authenticating) {
        this.admission.release(app.id); // closed while waiting for the slot
        return;
      }
      conn.identify(identity);
      this.holding.add(conn);
      const verdict = await this.hooks.onConnect(conn);
      if (conn.state !== ConnState.Authenticating) return;
      if (isRefusal(verdict)) throw new ConnectRefused(CloseCode.ConnectRefused, verdict.refuse);
    } catch (err) {
      if (err instanceof ConnectRefused) this.close(conn, err.code, err.message);
      else {
        this.logger.error(`connect failed: ${String(err)}`);
        this.close(conn, CloseCode.InternalError);
      }
      return;
    }
    clearTimeout(conn.closeTimer);
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
        maxTopics: this.limits.maxTopicsPerConnection,
        maxTopicLength: this.limits.maxTopicLength,
        publishRate: this.limits.publishRate,
        publishBurst: this.limits.publishBurst,
      },
    };
    conn.ws.send(encodeControl(hello));
    conn.busy = false;
    this.pump(conn);
  }

  /** Gives the connection's slot back, once, when it leaves (closed by either side or refused). */
  private release(conn: Connection): void {
    if (this.holding.delete(conn)) this.admission.release(conn.appId);
  }

  private receive(conn: Connection, data: Buffer, isBinary: boolean): void {
    if (conn.state === ConnState.Closing) return;
    const now = Date.now();
    conn.lastSeen = now;
    if (!conn.frames.take(now) || conn.inbox.length >= MAX_INBOX) {
      this.close(conn, CloseCode.Flood);
      return;
    }
    if (isBinary) {
      if (conn.state === ConnState.Open)
        this.frames.error(conn, ErrorCode.BadFrame, 'binary frames are not accepted');
      return;
    }
    conn.inbox.push(data);
    if (!conn.busy) this.pump(conn);
  }

  /** Handles queued frames in order; an async hook pauses the queue until it settles. */
  private pump(conn: Connection): void {
    while (!conn.busy && conn.state === ConnState.Open && conn.inbox.length > 0) {
      const data = conn.inbox.shift() as Buffer;
      let done: void | Promise<void>;
      try {
        done = this.frames.handle(conn, data);
      } catch (err) {
        this.logger.error(`frame handling failed: ${String(err)}`);
        this.frames.error(conn, ErrorCode.Internal, 'internal error');
        continue;
      }
      if (done instanceof Promise) {
        conn.busy = true;
        done
          .catch((err: unknown) => this.logger.error(`frame handling failed: ${String(err)}`))
          .finally(() => {
            conn.busy = false;
            this.pump(conn);
          });
      }
    }
  }

  /**
   * Closes with a documented code. The connection leaves every index at once (nothing more is
   * delivered to it); its socket gets `closeGraceMs` to flush the close frame, then is destroyed.
   */
  close(conn: Connection, code: CloseCode, reason: string = CLOSE_REASONS[code]): void {
    if (conn.state === ConnState.Closing) return;
    if (code !== CloseCode.SlowConsumer) this.hub.flushConnection(conn);
    conn.state = ConnState.Closing;
    conn.inbox.length = 0;
    this.hub.remove(conn);
    this.release(conn);
    clearTimeout(conn.closeTimer);
    this.closes[code]!.value++;
    conn.ws.close(code, reason.slice(0, 120));
    conn.closeTimer = setTimeout(() => conn.ws.terminate(), this.limits.closeGraceMs);
    conn.closeTimer.unref();
  }

  /** The socket is gone, whoever closed it: leave every index and tell the hooks. */
  private closed(conn: Connection, code: number, reason: string): void {
    if (conn.state !== ConnState.Closing) {
      conn.state = ConnState.Closing;
      this.disconnects.value++;
    }
    clearTimeout(conn.closeTimer);
    conn.inbox.length = 0;
    this.hub.remove(conn);
    this.release(conn);
    if (conn.appId !== '') this.hooks.notify('onClose', this.onHookError, conn, { code, reason });
  }

  /**
   * Closes the app's connections that `match` selects (all of them without `match`) with `code`, and
   * returns how many. For changes made anywhere (an app disabled or deleted, a token key revoked),
   * reported to every process that holds connections.
   */
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
      }
    }
  }
}
