import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { cluster } from '@beacon/contracts';
import type { GatewayLink } from './gateway-registry.js';
import type { TopicServiceException } from './topic-service.exception.js';

export type AttachCall = ServerDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>;

/** A gateway's Attach call seen as a GatewayLink: writes go to the call, close ends it with a status. */
export class GrpcGatewayLink implements GatewayLink {
  private closed = false;

  constructor(private readonly call: AttachCall) {}

  get queued(): number {
    return this.call.writableLength;
  }

  write(message: cluster.RouterMessage): void {
    if (!this.closed) this.call.write(message);
  }

  /** The peer went away (cancelled or errored): nothing more is written. */
  markGone(): void {
    this.closed = true;
  }

  close(error?: TopicServiceException): void {
    if (this.closed) return;
    this.closed = true;
    if (this.call.writableEnded || this.call.destroyed) return;
    // grpc-js turns an 'error' event on a server stream into the stream's final status.
    if (error !== undefined) this.call.emit('error', { code: error.grpcStatus, details: error.message });
    else this.call.end();
  }
}
