import type { cluster } from '@beacon/contracts';
import type { Outbound, Target } from '@beacon/routing';

export function targetToProto(t: Target): cluster.Target {
  switch (t.kind) {
    case 'topic':
      return { topic: t.topic };
    case 'user':
      return { userId: t.userId };
    case 'client':
      return { clientId: t.clientId };
    case 'broadcast':
      return { broadcast: true };
  }
}

export function targetFromProto(t: cluster.Target | undefined): Target | null {
  if (t === undefined) return null;
  if (t.topic !== undefined && t.topic !== '') return { kind: 'topic', topic: t.topic };
  if (t.userId !== undefined && t.userId !== '') return { kind: 'user', userId: t.userId };
  if (t.clientId !== undefined && t.clientId !== '') return { kind: 'client', clientId: t.clientId };
  if (t.broadcast === true) return { kind: 'broadcast' };
  return null;
}

/** The payload stays the producer's JSON text: decoded once per message per gateway, never per recipient. */
export function outboundFromProto(m: cluster.Message): Outbound {
  return {
    appId: m.appId,
    topic: m.topic === undefined || m.topic === '' ? undefined : m.topic,
    dataJson: m.dataJson.toString('utf8'),
    id: m.id,
    ts: m.ts,
  };
}

export function messageToProto(target: Target, m: Outbound): cluster.Message {
  const out: cluster.Message = {
    appId: m.appId,
    target: targetToProto(target),
    dataJson: Buffer.from(m.dataJson),
    id: m.id,
    ts: m.ts,
  };
  if (m.topic !== undefined) out.topic = m.topic;
  return out;
}
