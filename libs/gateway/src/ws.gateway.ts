import type { IncomingMessage } from 'node:http';
import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { ClientGateway } from './client-gateway.js';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options.js';

/** Nest's entry point for client sockets at `/ws`; everything else happens in ClientGateway. */
@WebSocketGateway({ path: '/ws' })
export class WsGateway implements OnGatewayConnection, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(ClientGateway) private readonly gateway: ClientGateway,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.start(this.options.sweepIntervalMs ?? 1_000);
  }

  /**
   * Before Nest closes the HTTP server: that close waits for every upgraded socket, so clients are
   * told to go away (1001) first, and destroyed after the close grace if they do not leave.
   */
  beforeApplicationShutdown(): void {
    this.gateway.stop();
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.gateway.connect(ws, req);
  }
}
