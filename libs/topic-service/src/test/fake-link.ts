import type { cluster } from '@beacon/contracts';
import type { GatewayLink } from '../gateway-registry.js';
import type { AttachSession, TopicRouter } from '../topic-router.js';
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
  answers(): cluster.AdmissionReply[] {
    return this.written.flatMap((m) => (m.admission ? [m.admission] : []));
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

/** Attaches a gateway to the router: register, then a snapshot (one subscriber per topic, slots, members). */
export function attachGateway(
  router: TopicRouter,
  nodeId: string,
  snapshot: { topics?: string[]; slots?: cluster.SlotCount[]; members?: cluster.PresenceEntry[] } = {},
): { link: FakeLink; session: AttachSession } {
  const link = new FakeLink();
  const session = router.attach(link);
  session.receive({ register: { nodeId, address: '' } });
  session.receive({
    snapshot: {
      topics: (snapshot.topics ?? []).map((key) => ({ appId: 'app', key, count: 1 })),
      users: [],
      slots: snapshot.slots ?? [],
      members: snapshot.members ?? [],
    },
  });
  return { link, session };
}
