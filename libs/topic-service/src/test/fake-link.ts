import type { cluster } from '@beacon/contracts';
import type { GatewayLink } from '../gateway-registry.js';
import type { TopicServiceException } from '../topic-service.exception.js';

/** A gateway's Attach stream for specs: records what the router writes and how it closed the stream. */
export class FakeLink implements GatewayLink {
  readonly written: cluster.RouterMessage[] = [];
  closedWith: TopicServiceException | 'ok' | null = null;
  queued = 0;
  queuedBytes = 0;
  write(m: cluster.RouterMessage): void {
    if (this.closedWith === null) this.written.push(m);
  }
  close(error?: TopicServiceException): void {
    this.closedWith ??= error ?? 'ok';
  }
  messages(): cluster.Message[] {
    return this.written.flatMap((m) => (m.message ? [m.message] : []));
  }
  commands(): cluster.Command[] {
    return this.written.flatMap((m) => (m.command ? [m.command] : []));
  }
  /** Presence events written, as "kind topic clientId". */
  events(): string[] {
    return this.written.flatMap((m) =>
      m.presence ? [`${m.presence.kind} ${m.presence.topic} ${m.presence.member?.clientId ?? ''}`] : [],
    );
  }
}
