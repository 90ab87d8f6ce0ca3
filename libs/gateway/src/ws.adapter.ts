import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';

/**
 * Nest's ws adapter with Beacon's socket options, and with Nest's per-message dispatch switched off:
 * the gateway reads frames itself (firetower's `{type, topic, data}` has no `event` field, and the
 * hot path must not go through rxjs per message).
 */
export class BeaconWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly socketOptions: { maxPayload: number },
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> = {}): ReturnType<WsAdapter['create']> {
    return super.create(port, {
      ...options,
      maxPayload: this.socketOptions.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      // Pings are counted against the frame rate and answered through the outbound budget (ClientGateway).
      autoPong: false,
    });
  }

  override bindMessageHandlers(): void {
    // Frames are handled by ClientGateway; see the class comment.
  }

  /**
   * Per-client socket errors (oversize frames, protocol violations) are client faults, handled and
   * counted by the gateway; logging each would make a public socket a log-flood target.
   */
  override bindErrorHandler<T extends { on(event: string, cb: (err: unknown) => void): unknown }>(
    server: T,
  ): T {
    server.on('error', (err) => this.log.error(err));
    return server;
  }

  private readonly log = new Logger('WebSocket');
}
