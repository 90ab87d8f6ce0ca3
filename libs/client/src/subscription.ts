import type { MessageFrame, PresenceMember, Recovery, StreamPosition } from '@beacon/protocol';
import { call } from './emitter.js';
import type { BeaconError } from './errors.js';
import type { PresenceStats, SubscriptionHandlers } from './types.js';

/** What a subscription needs of its client. */
export interface SubscriptionHost {
  unsubscribe(sub: Subscription): void;
  presence(topic: string): Promise<PresenceMember[]>;
  presenceStats(topic: string): Promise<PresenceStats>;
}

/**
 * One topic's subscription. It outlives connections: after a reconnect the client subscribes again, and
 * on history topics asks for what it missed (`since`: the last position delivered). Deliveries carrying a
 * position are delivered once each and in order: anything at or before the last delivered offset of the
 * same epoch is a duplicate and dropped.
 */
export class Subscription {
  /** The last position delivered (history topics). */
  position: StreamPosition | undefined;
  /** Acknowledged by the server at least once. */
  private confirmed = false;
  /** Deliveries held while a resubscribe with `since` waits for its ack, then delivered in offset order. */
  private held: MessageFrame[] | undefined;
  active = true;

  constructor(
    readonly topic: string,
    private readonly handlers: SubscriptionHandlers,
    private readonly host: SubscriptionHost,
  ) {}

  get joinLeave(): boolean {
    return this.handlers.join !== undefined || this.handlers.leave !== undefined;
  }

  /** Stops deliveries and tells the server (when connected). */
  unsubscribe(): void {
    if (!this.active) return;
    this.active = false;
    this.host.unsubscribe(this);
  }

  /** Who is in this presence topic now. */
  presence(): Promise<PresenceMember[]> {
    return this.host.presence(this.topic);
  }

  presenceStats(): Promise<PresenceStats> {
    return this.host.presenceStats(this.topic);
  }

  /** A subscribe frame for this topic is about to be sent; with a position, hold deliveries until the ack. */
  sending(): StreamPosition | undefined {
    this.held = this.position ? [] : undefined;
    return this.position;
  }

  /** The connection ended before the ack: nothing held is lost, the replay will bring it again. */
  reset(): void {
    this.held = undefined;
  }

  acked(recovery: Recovery | undefined, position: StreamPosition | undefined): void {
    const held = this.held;
    this.held = undefined;
    const resubscribed = this.confirmed;
    this.confirmed = true;
    if (recovery && !recovery.recovered) this.position = undefined;
    this.position ??= position;
    call(
      this.handlers.subscribed,
      recovery ? { resubscribed, recovered: recovery.recovered } : { resubscribed },
    );
    if (held) {
      held.sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity));
      for (const m of held) this.deliver(m);
    }
    if (recovery) {
      const p = this.position;
      if (!p || p.epoch !== recovery.epoch || p.offset < recovery.offset) {
        this.position = { offset: recovery.offset, epoch: recovery.epoch };
      }
    }
  }

  failed(err: BeaconError): void {
    this.active = false;
    call(this.handlers.error, err);
  }

  deliver(m: MessageFrame): void {
    if (!this.active) return;
    if (this.held) {
      this.held.push(m);
      return;
    }
    if (m.offset !== undefined && m.epoch !== undefined) {
      const p = this.position;
      if (p && p.epoch === m.epoch && m.offset <= p.offset) return;
      this.position = { offset: m.offset, epoch: m.epoch };
    }
    call(this.handlers.message, m);
  }

  member(type: 'join' | 'leave', member: PresenceMember): void {
    if (this.active) call(this.handlers[type], member);
  }
}
