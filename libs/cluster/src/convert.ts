import type { cluster } from '@beacon/contracts';
import type {
  HistoryRead,
  HistoryRule,
  Outbound,
  PresenceMember,
  PublishOptions,
  PublishReceipt,
  StreamPosition,
  Target,
} from '@beacon/routing';

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
  const out: Outbound = {
    appId: m.appId,
    topic: m.topic === undefined || m.topic === '' ? undefined : m.topic,
    dataJson: m.dataJson.toString('utf8'),
    id: m.id,
    ts: m.ts,
  };
  // A history topic's message: its place in the stream, as the topic-service numbered it.
  const p = m.positions.length > 0 ? m.positions[0] : undefined;
  if (p !== undefined && p.topic === out.topic) {
    out.offset = Number(p.offset);
    out.epoch = p.epoch;
  }
  return out;
}

/** The history rules of a publish's topics, for the topic-service (empty when none keeps history). */
export function historyToProto(topics: readonly string[], options?: PublishOptions): cluster.HistoryRule[] {
  const rules = options?.history;
  if (rules === undefined) return [];
  const out: cluster.HistoryRule[] = [];
  rules.forEach((r: HistoryRule | null, i) => {
    if (r !== null) out.push({ topic: topics[i] as string, size: r.size, ttlMs: r.ttlMs });
  });
  return out;
}

export function positionsFromProto(
  positions: readonly cluster.TopicPosition[],
): Record<string, StreamPosition> | undefined {
  if (positions.length === 0) return undefined;
  const out: Record<string, StreamPosition> = {};
  for (const p of positions) out[p.topic] = { offset: Number(p.offset), epoch: p.epoch };
  return out;
}

/** A publish's receipt: with the positions of its history topics when it had any. */
export function receiptFromProto(
  id: string,
  ts: number,
  positions: readonly cluster.TopicPosition[],
): PublishReceipt {
  const byTopic = positionsFromProto(positions);
  return byTopic === undefined ? { id, ts } : { id, ts, positions: byTopic };
}

export function historyFromProto(r: cluster.HistoryReply | undefined): HistoryRead {
  if (r === undefined) return { messages: [], position: { offset: 0, epoch: '' }, recovered: false };
  return {
    messages: r.messages.map((m) => ({
      id: m.id,
      ts: Number(m.ts),
      dataJson: m.dataJson.toString('utf8'),
      offset: Number(m.offset),
    })),
    position: { offset: Number(r.position?.offset ?? 0), epoch: r.position?.epoch ?? '' },
    recovered: r.recovered,
  };
}

export function memberToProto(m: PresenceMember): cluster.PresenceMember {
  const out: cluster.PresenceMember = {
    clientId: m.clientId,
    infoJson: m.info === null ? '' : JSON.stringify(m.info),
  };
  if (m.userId !== null) out.userId = m.userId;
  return out;
}

/** The info is the gateway's own JSON text of a token claim: parsed once per member read or event. */
export function memberFromProto(m: cluster.PresenceMember | undefined): PresenceMember | null {
  if (m === undefined || m.clientId === '') return null;
  let info: Record<string, unknown> | null = null;
  if (m.infoJson !== '') {
    try {
      const parsed: unknown = JSON.parse(m.infoJson);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        info = parsed as Record<string, unknown>;
    } catch {
      info = null;
    }
  }
  return { clientId: m.clientId, userId: m.userId === undefined || m.userId === '' ? null : m.userId, info };
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
  history: cluster.HistoryRule[] = [],
  requestId = 0,
): cluster.Message {
  const extra = { positions: [], requestId, history };
  if (topics.length === 1) {
    const topic = topics[0] as string;
    return { appId, target: { topic }, topic, dataJson, id, ts, topics: [], ...extra };
  }
  return { appId, target: undefined, dataJson, id, ts, topics: [...topics], ...extra };
}

/** Bytes a message is counted as in a stream queue: its payload and names plus a fixed envelope. */
export function messageBytes(m: cluster.Message): number {
  let n = 32 + m.dataJson.length + m.appId.length + m.id.length + (m.topic?.length ?? 0);
  for (const t of m.topics) n += t.length + 2;
  return n;
}
