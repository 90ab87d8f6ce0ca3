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

/**
 * A publish as one stream message: one topic as `target.topic` (what every topic-service version
 * reads), several as `topics` with no target.
 */
export function publishToProto(
  appId: string,
  topics: readonly string[],
  dataJson: Buffer,
  id: string,
  ts: number,
): cluster.Message {
  if (topics.length === 1) {
    const topic = topics[0] as string;
    return { appId, target: { topic }, topic, dataJson, id, ts, topics: [] };
  }
  return { appId, target: undefined, dataJson, id, ts, topics: [...topics] };
}

/** Bytes a message is counted as in a stream queue: its payload and names plus a fixed envelope. */
export function messageBytes(m: cluster.Message): number {
  let n = 32 + m.dataJson.length + m.appId.length + m.id.length + (m.topic?.length ?? 0);
  for (const t of m.topics) n += t.length + 2;
  return n;
}
