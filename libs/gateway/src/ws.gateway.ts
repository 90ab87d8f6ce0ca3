import type { IncomingMessage } from 'node:http';
import { Inject, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { ClientGateway } from './client-gateway.js';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options.js';

/** Nest's entry point for client sockets at `/ws`; everything else happens in ClientGateway. */
@WebSocketGateway({ path: '/ws' })
export class WsGateway implements OnGatewayConnection, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(ClientGateway) private readonly gateway: ClientGateway,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.start(this.options.sweepIntervalMs ?? 1_000);
  }

  onApplicationShutdown(): void {
    this.gateway.stop();
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.gateway.connect(ws, req);
  }
}
