import type { cluster } from '@beacon/contracts';
import type { HistoryRule, HistoryStore, StreamPosition } from '@beacon/routing';
import { isValidTopicName, requireValid, type TopicServiceLimits } from './limits.js';

/** A history rule's bounds (the app settings' own: size 1-10,000 messages, TTL up to 7 days). */
const MAX_SIZE = 10_000;
const MAX_TTL_MS = 7 * 24 * 3600 * 1000;
/** Most payload bytes one replay page or History reply carries (gRPC's default message limit is 4 MiB). */
export const HISTORY_PAGE_BYTES = 1024 * 1024;

/**
 * The cluster's one authority for history topics: it numbers each message of a history topic (offset,
 * and the stream's epoch) before it is routed anywhere, and serves reads and replays. Behind the store
 * port of @beacon/routing; in memory, a restart starts new epochs, so clients are told
 * `recovered: false`. Publishes name their topics' rules (the topic-service reads no settings).
 */
export class TopicHistory {
  constructor(
    private readonly store: HistoryStore,
    private readonly limits: TopicServiceLimits,
  ) {}

  /**
   * The publish's history rules by topic, or null when one is invalid (not one of the publish's topics,
   * a size or TTL out of bounds, named twice). Empty when the publish keeps no history.
   */
  rules(
    rules: readonly cluster.HistoryRule[] | undefined | null,
    topics: readonly string[],
  ): Map<string, HistoryRule> | null {
    const out = new Map<string, HistoryRule>();
    if (rules === undefined || rules === null || rules.length === 0) return out;
    for (const r of rules) {
      const valid =
        topics.includes(r.topic) &&
        !out.has(r.topic) &&
        Number.isInteger(r.size) &&
        r.size >= 1 &&
        r.size <= MAX_SIZE &&
        Number.isInteger(r.ttlMs) &&
        r.ttlMs >= 1 &&
        r.ttlMs <= MAX_TTL_MS;
      if (!valid) return null;
      out.set(r.topic, { size: r.size, ttlMs: r.ttlMs });
    }
    return out;
  }

  /** Numbers and keeps one publish on each of its history topics, in the order they are routed. */
  append(
    appId: string,
    rules: ReadonlyMap<string, HistoryRule>,
    message: { id: string; ts: number; dataJson: Buffer },
  ): Map<string, cluster.TopicPosition> {
    const positions = new Map<string, cluster.TopicPosition>();
    const dataJson = message.dataJson.toString('utf8');
    for (const [topic, rule] of rules) {
      const p = this.store.append(appId, topic, { id: message.id, ts: message.ts, dataJson }, rule);
      positions.set(topic, { topic, offset: p.offset, epoch: p.epoch });
    }
    return positions;
  }

  /** A read for the push API (History) or a gateway's replay: one page of at most HISTORY_PAGE_BYTES. */
  read(
    appId: string,
    topic: string,
    since: cluster.StreamPosition | undefined | null,
    limit: number,
  ): { reply: cluster.HistoryReply; more: boolean } {
    const opts = {
      limit,
      maxBytes: HISTORY_PAGE_BYTES,
      ...(since !== undefined && since !== null && { since: position(since) }),
    };
    const r = this.store.read(appId, topic, opts);
    return {
      reply: {
        messages: r.messages.map((m) => ({
          id: m.id,
          ts: m.ts,
          dataJson: Buffer.from(m.dataJson),
          offset: m.offset,
        })),
        position: r.position,
        recovered: r.recovered,
      },
      more: r.more === true,
    };
  }

  /** Checks a History request or a replay request; returns its app id and topic. */
  check(appId: unknown, topic: unknown, limit: unknown): { appId: string; topic: string; limit: number } {
    const app = requireValid.appId(this.limits, appId);
    if (!isValidTopicName(topic, this.limits)) throw requireValid.invalid('topic: invalid topic');
    const n = Number(limit ?? 0);
    if (!Number.isInteger(n) || n < 0 || n > MAX_SIZE) throw requireValid.invalid(`limit: 0-${MAX_SIZE}`);
    return { appId: app, topic, limit: n };
  }

  stats(): ReturnType<HistoryStore['stats']> {
    return this.store.stats();
  }
}

function position(p: cluster.StreamPosition): StreamPosition {
  return { offset: Number(p.offset), epoch: String(p.epoch ?? '') };
}
