import type { cluster } from '@beacon/contracts';
import { isValidNodeId } from '@beacon/routing';
import { Gateway, type GatewayLink } from './gateway-registry.js';
import type { GatewayInput } from './gateway-input.js';
import type { RouterState } from './router-state.js';
import { TopicServiceException } from './topic-service.exception.js';

/** One gateway's Attach stream as the router sees it: feed it what arrives, tell it when it ends. */
export interface AttachSession {
  receive(message: cluster.GatewayMessage): void;
  /** The stream ended, errored or was cancelled by the peer. */
  ended(): void;
}

/** Why a gateway was removed: what its presence members become depends on it. */
export type RemovalReason = 'ended' | 'expired' | 'replaced' | 'slow' | 'shutdown';

/** Told when a gateway registers or is removed (presence keeps or drops its members). */
export interface GatewayLifecycle {
  registered(g: Gateway): void;
  removed(g: Gateway, reason: RemovalReason): void;
}

/**
 * Gateway membership: the Attach streams (register first, then everything else to GatewayInput),
 * replacement of a node id attached twice, the liveness sweep, dropping slow gateways, shutdown.
 */
export class AttachSessions {
  private closing = false;

  constructor(
    private readonly s: RouterState,
    private readonly input: GatewayInput,
    private readonly lifecycle: GatewayLifecycle,
  ) {}

  attach(link: GatewayLink): AttachSession {
    let gateway: Gateway | null = null;
    let done = false;
    const fail = (err: TopicServiceException): void => {
      done = true;
      if (gateway !== null) this.remove(gateway, 'ended', err.message, err);
      else link.close(err);
    };
    return {
      receive: (msg) => {
        if (done) return;
        if (gateway !== null && this.s.registry.get(gateway.nodeId) !== gateway) {
          done = true; // removed (expired, replaced, slow): what still arrives on its stream is ignored
          return;
        }
        try {
          if (gateway === null) gateway = this.register(link, msg);
          else this.input.receive(gateway, msg);
        } catch (err) {
          fail(
            err instanceof TopicServiceException
              ? err
              : new TopicServiceException('invalid_argument', `bad message: ${String(err)}`),
          );
        }
      },
      ended: () => {
        if (done) return;
        done = true;
        if (gateway !== null) this.remove(gateway, 'ended', 'stream ended');
        else link.close();
      },
    };
  }

  /** Removes every gateway from which nothing arrived within the liveness timeout. */
  sweep(): void {
    const { registry, clock, options, counters } = this.s;
    for (const g of registry.expired(clock.now(), options.livenessTimeoutMs)) {
      counters.expired.value++;
      this.remove(g, 'expired', 'liveness timeout', new TopicServiceException('expired', 'liveness timeout'));
    }
  }

  /** Refuses new gateways and ends every stream (UNAVAILABLE, so gateways reconnect). */
  close(): void {
    this.closing = true;
    const err = new TopicServiceException('shutting_down', 'topic-service shutting down');
    for (const g of [...this.s.registry.all()]) this.remove(g, 'shutdown', 'shutdown', err);
  }

  /** Writes to one gateway; a gateway that stopped reading is dropped (it reconnects and resyncs). */
  write(g: Gateway, m: cluster.RouterMessage): boolean {
    const { maxQueuedPerGateway, maxQueuedBytesPerGateway } = this.s.limits;
    if (g.link.queued >= maxQueuedPerGateway || g.link.queuedBytes >= maxQueuedBytesPerGateway) {
      this.s.counters.slow.value++;
      const err = new TopicServiceException(
        'slow_gateway',
        g.link.queued >= maxQueuedPerGateway
          ? `more than ${maxQueuedPerGateway} messages waiting`
          : `more than ${maxQueuedBytesPerGateway} bytes waiting`,
      );
      this.remove(g, 'slow', err.message, err);
      return false;
    }
    g.link.write(m);
    if (m.command !== undefined) this.s.counters.commandsSent.value++;
    if (m.message !== undefined || m.command?.send !== undefined) this.s.counters.sent.value++;
    return true;
  }

  private register(link: GatewayLink, msg: cluster.GatewayMessage): Gateway {
    const reg = msg.register;
    if (reg === undefined || reg === null) {
      throw new TopicServiceException('not_registered', 'the first message on Attach must be register');
    }
    if (!isValidNodeId(reg.nodeId)) {
      throw new TopicServiceException('invalid_argument', 'register.node_id: 1-64 chars of A-Z a-z 0-9 _ -');
    }
    if (this.closing) throw new TopicServiceException('shutting_down', 'topic-service shutting down');
    const address = typeof reg.address === 'string' ? reg.address.slice(0, 256) : '';
    const gateway = new Gateway(reg.nodeId, address, link, this.s.clock.now());
    const previous = this.s.registry.get(gateway.nodeId);
    if (previous !== undefined) {
      const err = new TopicServiceException('replaced', 'replaced by a newer Attach with the same node id');
      this.remove(previous, 'replaced', 'replaced', err);
    }
    this.s.registry.add(gateway);
    this.lifecycle.registered(gateway);
    link.write({
      registered: {
        heartbeatIntervalMs: this.s.options.heartbeatIntervalMs,
        livenessTimeoutMs: this.s.options.livenessTimeoutMs,
      },
    });
    this.s.logger.log(`gateway ${gateway.nodeId} attached (${address || 'no address'})`);
    return gateway;
  }

  private remove(g: Gateway, reason: RemovalReason, why: string, error?: TopicServiceException): void {
    g.link.close(error);
    if (!this.s.registry.remove(g)) return;
    this.s.index.remove(g);
    this.s.admissions.remove(g);
    this.s.commands.forget(g);
    this.lifecycle.removed(g, reason);
    this.s.logger.log(`gateway ${g.nodeId} detached: ${why}`);
  }
}
