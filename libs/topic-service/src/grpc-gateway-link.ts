import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { cluster } from '@beacon/contracts';
import type { GatewayLink } from './gateway-registry.js';
import type { TopicServiceException } from './topic-service.exception.js';

export type AttachCall = ServerDuplexStream<cluster.GatewayMessage, cluster.RouterMessage>;

/** Bytes a message is counted as while it waits: payload and names plus a fixed envelope. */
export function routerMessageBytes(m: cluster.RouterMessage): number {
  const msg = m.message ?? m.command?.send;
  if (msg === undefined) {
    let n = 64;
    for (const r of m.replayed?.reply?.messages ?? []) n += 32 + r.dataJson.length + r.id.length;
    if (m.presence?.member) n += m.presence.member.infoJson.length + m.presence.topic.length;
    return n;
  }
  let n = 64 + msg.dataJson.length + msg.appId.length + msg.id.length + (msg.topic?.length ?? 0);
  for (const t of msg.topics ?? []) n += t.length + 2;
  return n;
}

/**
 * A gateway's Attach call seen as a GatewayLink: writes go to the call, close ends it with a status.
 * What waits in the call (not yet taken by HTTP/2, whose flow control stops when the gateway stops
 * reading) is visible as `queued` messages and `queuedBytes`, which the router bounds.
 */
export class GrpcGatewayLink implements GatewayLink {
  private closed = false;
  private bytes = 0;

  constructor(private readonly call: AttachCall) {}

  get queued(): number {
    return this.call.writableLength;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  write(message: cluster.RouterMessage): void {
    if (this.closed) return;
    const n = routerMessageBytes(message);
    this.bytes += n;
    this.call.write(message, () => {
      this.bytes -= n;
    });
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
