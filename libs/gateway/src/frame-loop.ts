import type { Logger } from '@nestjs/common';
import { CloseCode, ErrorCode } from '@beacon/protocol';
import type { MetricsRegistry } from '@beacon/metrics';
import type { Clock, GatewayRouter } from '@beacon/routing';
import { ConnState, type Connection } from './connection.js';
import { FrameHandler } from './frame-handler.js';
import type { GatewayLimits } from './gateway.options.js';
import type { HookChain } from './hook-chain.js';
import type { Hub } from './hub.js';
import { framePong } from './ws-frame.js';

export interface FrameLoopEvents {
  close(conn: Connection, code: CloseCode, reason?: string): void;
  /** Verifies a `refresh` frame's token and applies it to the connection; resolves to the new expiry. */
  refresh(conn: Connection, token: string): Promise<number>;
}

/**
 * A connection's inbound frames, strictly in order. Every frame (text, binary, WebSocket ping and pong)
 * is counted against the frame rate first. A frame is handled as it arrives, synchronously; only while
 * the connection authenticates or an async hook runs do frames wait, in an inbox bounded in count and
 * bytes (4030 past either). A publish does not wait for the router: its ack follows when it settles.
 */
export class FrameLoop {
  private readonly frames: FrameHandler;

  constructor(
    private readonly hub: Hub,
    router: GatewayRouter,
    hooks: HookChain,
    private readonly limits: GatewayLimits,
    metrics: MetricsRegistry,
    onHookError: (err: unknown) => void,
    private readonly logger: Logger,
    private readonly events: FrameLoopEvents,
    private readonly clock: Clock,
  ) {
    this.frames = new FrameHandler(hub, router, hooks, limits, metrics, onHookError, clock, {
      refresh: (conn, token) => events.refresh(conn, token),
      close: (conn, code, reason) => events.close(conn, code as CloseCode, reason),
    });
  }

  receive(conn: Connection, data: Buffer): void {
    if (conn.state === ConnState.Closing || !this.count(conn)) return;
    if (conn.busy) return this.enqueue(conn, data);
    this.dispatch(conn, data);
  }

  /** A WebSocket ping: counted like any frame, answered with a pong through the outbound budget. */
  ping(conn: Connection, data: Buffer): void {
    if (conn.state === ConnState.Closing || !this.count(conn)) return;
    if (conn.state === ConnState.Open) this.hub.write(conn, framePong(data));
  }

  pong(conn: Connection): void {
    if (conn.state !== ConnState.Closing) this.count(conn);
  }

  /** Handles what waited (authentication done, or an async hook settled) until the inbox is empty or a hook pauses it again. */
  resume(conn: Connection): void {
    conn.busy = false;
    while (!conn.busy && conn.state === ConnState.Open && conn.inbox.length > 0) {
      const data = conn.inbox.shift() as Buffer;
      conn.inboxBytes -= data.length;
      this.dispatch(conn, data);
    }
  }

  clear(conn: Connection): void {
    conn.inbox.length = 0;
    conn.inboxBytes = 0;
  }

  /** Any sign of life; false (and closed 4029) past the frame rate. */
  private count(conn: Connection): boolean {
    const now = this.clock.now();
    conn.lastSeen = now;
    if (conn.frames.take(now)) return true;
    this.events.close(conn, CloseCode.Flood);
    return false;
  }

  private enqueue(conn: Connection, data: Buffer): void {
    if (
      conn.inbox.length >= this.limits.inboxFrames ||
      conn.inboxBytes + data.length > this.limits.inboxBytes
    ) {
      return this.events.close(conn, CloseCode.InboxFull);
    }
    conn.inbox.push(data);
    conn.inboxBytes += data.length;
  }

  private dispatch(conn: Connection, data: Buffer): void {
    let done: void | Promise<void>;
    try {
      done = this.frames.handle(conn, data);
    } catch (err) {
      return this.failed(conn, err);
    }
    if (done === undefined) return;
    conn.busy = true;
    done.then(
      () => this.resume(conn),
      (err: unknown) => {
        this.failed(conn, err);
        this.resume(conn);
      },
    );
  }

  /** A server bug: logged (bounded, no frame content) and answered with `internal`; the loop goes on. */
  private failed(conn: Connection, err: unknown): void {
    this.logger.error(`frame handling failed: ${String(err).slice(0, 500)}`);
    this.frames.error(conn, ErrorCode.Internal, 'internal error');
  }
}
