import type { cluster } from '@beacon/contracts';
import type { Counter } from '@beacon/metrics';
import type { DisconnectTarget, GatewayNode } from '@beacon/routing';
import type { ClusterAdmission } from './cluster-admission.js';
import { memberFromProto, outboundFromProto, targetFromProto } from './convert.js';
import type { PendingRequests } from './pending-requests.js';

/** Where what the topic-service sends on the Attach stream goes (the `registered` answer aside). */
export interface InboundTargets {
  readonly admission: ClusterAdmission;
  readonly replays: PendingRequests<cluster.ReplayPage>;
  readonly joins: PendingRequests<string>;
  readonly published: PendingRequests<cluster.TopicPosition[]>;
  readonly received: Counter;
  /** Answers a command with the number of connections it reached (when the stream queue has room). */
  reply(result: cluster.CommandResult): void;
}

/** One message from the topic-service: deliveries to the node, answers to what waits, commands. */
export function handleInbound(node: GatewayNode, m: cluster.RouterMessage, to: InboundTargets): void {
  if (m.message !== undefined) {
    to.received.value++;
    deliverRouted(node, m.message);
  } else if (m.admission !== undefined) {
    to.admission.answered(Number(m.admission.requestId), m.admission.granted);
  } else if (m.presence !== undefined) {
    const member = memberFromProto(m.presence.member);
    const kind = m.presence.kind;
    if (member !== null && (kind === 'join' || kind === 'leave'))
      node.deliverPresence(m.presence.appId, m.presence.topic, kind, member);
  } else if (m.published !== undefined) {
    to.published.settle(Number(m.published.requestId), m.published.positions);
  } else if (m.replayed !== undefined) {
    to.replays.settle(Number(m.replayed.requestId), m.replayed);
  } else if (m.joined !== undefined) {
    to.joins.settle(Number(m.joined.requestId), m.joined.result);
  } else if (m.command !== undefined) {
    to.reply({ requestId: m.command.requestId, count: runCommand(node, m.command) });
  }
}

/** One routed message: a topic message may name several topics, each delivered as its own frame. */
export function deliverRouted(node: GatewayNode, m: cluster.Message): void {
  if (m.topics.length > 0) {
    const base = outboundFromProto(m);
    if (m.positions.length === 0) {
      for (const topic of m.topics) node.deliver({ kind: 'topic', topic }, { ...base, topic });
      return;
    }
    for (const topic of m.topics) {
      const p = m.positions.find((x) => x.topic === topic);
      const out =
        p === undefined ? { ...base, topic } : { ...base, topic, offset: Number(p.offset), epoch: p.epoch };
      node.deliver({ kind: 'topic', topic }, out);
    }
    return;
  }
  const target = targetFromProto(m.target);
  if (target !== null) node.deliver(target, outboundFromProto(m));
}

/** A send or disconnect command on this node; returns how many connections it reached. */
export function runCommand(node: GatewayNode, c: cluster.Command): number {
  if (c.send !== undefined) {
    const target = targetFromProto(c.send.target);
    return target === null ? 0 : node.deliver(target, outboundFromProto(c.send));
  }
  if (c.disconnect !== undefined) {
    const d = c.disconnect;
    const who: DisconnectTarget | null =
      d.clientId !== undefined && d.clientId !== ''
        ? { clientId: d.clientId }
        : d.userId
          ? { userId: d.userId }
          : null;
    if (who !== null) return node.disconnect(d.appId, who);
  }
  return 0;
}
