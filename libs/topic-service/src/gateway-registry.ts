import type { cluster } from '@beacon/contracts';
import type { TopicServiceException } from './topic-service.exception.js';

/** The topic-service's side of one gateway's Attach stream. The gRPC adapter implements it. */
export interface GatewayLink {
  /** Queues one message for the gateway (no-op once closed). */
  write(message: cluster.RouterMessage): void;
  /** Messages queued and not yet handed to the transport. */
  readonly queued: number;
  /** Their bytes (payload and names; see routerMessageBytes). */
  readonly queuedBytes: number;
  /** Ends the stream: with OK, or with the error's gRPC status. Idempotent. */
  close(error?: TopicServiceException): void;
}

/** Stats of a gateway that has not sent a heartbeat yet. */
export const EMPTY_GATEWAY_STATS: cluster.GatewayStats = {
  connections: 0,
  topics: 0,
  deliveriesTotal: 0,
  messagesRoutedTotal: 0,
  remoteMessagesTotal: 0,
  slowConsumersTotal: 0,
  publishBuffered: 0,
  publishDroppedTotal: 0,
  publishBufferedBytes: 0,
};

/** One attached gateway. The object itself is the handle the interest index and commands key on. */
export class Gateway {
  lastSeen: number;
  stats: cluster.GatewayStats | undefined = undefined;

  constructor(
    readonly nodeId: string,
    readonly address: string,
    readonly link: GatewayLink,
    readonly attachedAt: number,
  ) {
    this.lastSeen = attachedAt;
  }
}

/** nodeId → the gateway attached under it (at most one). */
export class GatewayRegistry {
  private readonly byNode = new Map<string, Gateway>();

  get size(): number {
    return this.byNode.size;
  }

  get(nodeId: string): Gateway | undefined {
    return this.byNode.get(nodeId);
  }

  /** Adds the gateway; returns the one it replaces (same node id), which the caller must end. */
  add(gateway: Gateway): Gateway | undefined {
    const previous = this.byNode.get(gateway.nodeId);
    this.byNode.set(gateway.nodeId, gateway);
    return previous;
  }

  /** Removes the gateway if it is still the one attached under its node id. */
  remove(gateway: Gateway): boolean {
    if (this.byNode.get(gateway.nodeId) !== gateway) return false;
    this.byNode.delete(gateway.nodeId);
    return true;
  }

  all(): IterableIterator<Gateway> {
    return this.byNode.values();
  }

  /** Gateways from which nothing arrived for longer than `timeoutMs` before `now`. */
  expired(now: number, timeoutMs: number): Gateway[] {
    const out: Gateway[] = [];
    for (const g of this.byNode.values()) if (now - g.lastSeen > timeoutMs) out.push(g);
    return out;
  }
}
