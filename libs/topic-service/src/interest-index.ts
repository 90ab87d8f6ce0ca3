import type { cluster } from '@beacon/contracts';
import { TopicServiceException } from './topic-service.exception.js';

type Entry = cluster.InterestEntry;

/** (appId, key) → the gateways with a count above 0, with their counts. */
class CountTable<G> {
  private readonly apps = new Map<string, Map<string, Map<G, number>>>();
  /** Distinct (app, key) pairs with a count above 0 on some gateway. */
  size = 0;

  set(appId: string, key: string, gateway: G, count: number): void {
    let keys = this.apps.get(appId);
    if (count > 0) {
      if (keys === undefined) this.apps.set(appId, (keys = new Map()));
      let gateways = keys.get(key);
      if (gateways === undefined) {
        keys.set(key, (gateways = new Map()));
        this.size++;
      }
      gateways.set(gateway, count);
      return;
    }
    const gateways = keys?.get(key);
    if (keys === undefined || gateways === undefined) return;
    gateways.delete(gateway);
    if (gateways.size === 0 && keys.delete(key)) this.size--;
    if (keys.size === 0) this.apps.delete(appId);
  }

  gateways(appId: string, key: string): ReadonlyMap<G, number> | undefined {
    return this.apps.get(appId)?.get(key);
  }

  sum(appId: string, key: string): number {
    let n = 0;
    const gateways = this.apps.get(appId)?.get(key);
    if (gateways !== undefined) for (const c of gateways.values()) n += c;
    return n;
  }

  /** Every (app, key) of one app, or of all apps, with its summed count. */
  *all(appId: string | undefined): IterableIterator<[string, string, number]> {
    if (appId !== undefined) {
      for (const [key, n] of this.sums(appId)) yield [appId, key, n];
      return;
    }
    for (const app of this.apps.keys()) for (const [key, n] of this.sums(app)) yield [app, key, n];
  }

  /** Every key of an app with its summed count. */
  *sums(appId: string): IterableIterator<[string, number]> {
    const keys = this.apps.get(appId);
    if (keys === undefined) return;
    for (const [key, gateways] of keys) {
      let n = 0;
      for (const c of gateways.values()) n += c;
      yield [key, n];
    }
  }
}

/** One gateway's own entries, kept so a snapshot or a detach can take them all back. */
interface Own {
  topics: Map<string, Map<string, number>>;
  users: Map<string, Map<string, number>>;
  topicCount: number;
  userCount: number;
}

export type InterestKind = 'topics' | 'users';

/** The topic and user lists of a snapshot or delta. */
export type InterestLists = Pick<cluster.Interest, InterestKind>;

/**
 * The interest table: which gateways have subscribers of (app, topic) and connections of (app, user),
 * and how many. Plain data; the router decides what to do with it. `G` is the gateway handle.
 */
export class InterestIndex<G> {
  private readonly tables = { topics: new CountTable<G>(), users: new CountTable<G>() };
  private readonly own = new Map<G, Own>();

  constructor(private readonly maxEntriesPerGateway: number) {}

  /** Distinct topics with subscribers somewhere in the cluster, all apps together. */
  get distinctTopics(): number {
    return this.tables.topics.size;
  }

  /** Gateways with subscribers of the topic (count > 0), with their counts. */
  topicGateways(appId: string, topic: string): ReadonlyMap<G, number> | undefined {
    return this.tables.topics.gateways(appId, topic);
  }

  userGateways(appId: string, userId: string): ReadonlyMap<G, number> | undefined {
    return this.tables.users.gateways(appId, userId);
  }

  topicSubscribers(appId: string, topic: string): number {
    return this.tables.topics.sum(appId, topic);
  }

  userConnections(appId: string, userId: string): number {
    return this.tables.users.sum(appId, userId);
  }

  /** Every topic with subscribers somewhere, of one app or of all: [appId, topic, summed subscribers]. */
  allTopicSums(appId?: string): IterableIterator<[string, string, number]> {
    return this.tables.topics.all(appId);
  }

  topicSums(appId: string): IterableIterator<[string, number]> {
    return this.tables.topics.sums(appId);
  }

  /** The app's topics starting with `prefix`, busiest first, then by name; at most `limit`. */
  topTopics(appId: string, prefix: string, limit: number): Array<{ topic: string; subscribers: number }> {
    const all: Array<{ topic: string; subscribers: number }> = [];
    for (const [topic, subscribers] of this.tables.topics.sums(appId)) {
      if (topic.startsWith(prefix)) all.push({ topic, subscribers });
    }
    all.sort((a, b) => b.subscribers - a.subscribers || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    return all.slice(0, limit);
  }

  /** Distinct (app, topic) entries the gateway has. */
  topicCount(gateway: G): number {
    return this.own.get(gateway)?.topicCount ?? 0;
  }

  userCount(gateway: G): number {
    return this.own.get(gateway)?.userCount ?? 0;
  }

  /**
   * A snapshot: the gateway's whole interest becomes exactly these entries. Entries failing `valid`
   * are skipped; returns how many were skipped.
   */
  replace(gateway: G, interest: InterestLists, valid: (kind: InterestKind, e: Entry) => boolean): number {
    this.remove(gateway);
    return this.apply(gateway, interest, valid);
  }

  /** A delta: each entry's count replaces the previous one; 0 removes. Returns entries skipped. */
  apply(gateway: G, interest: InterestLists, valid: (kind: InterestKind, e: Entry) => boolean): number {
    let own = this.own.get(gateway);
    if (own === undefined) {
      own = { topics: new Map(), users: new Map(), topicCount: 0, userCount: 0 };
      this.own.set(gateway, own);
    }
    let skipped = 0;
    for (const kind of ['topics', 'users'] as const) {
      for (const e of interest[kind] ?? []) {
        if (!valid(kind, e)) {
          skipped++;
          continue;
        }
        this.setOne(gateway, own, kind, e.appId, e.key, e.count);
      }
    }
    return skipped;
  }

  /** Forgets everything the gateway had. */
  remove(gateway: G): void {
    const own = this.own.get(gateway);
    if (own === undefined) return;
    for (const kind of ['topics', 'users'] as const) {
      for (const [appId, keys] of own[kind]) {
        for (const key of keys.keys()) this.tables[kind].set(appId, key, gateway, 0);
      }
    }
    this.own.delete(gateway);
  }

  private setOne(gateway: G, own: Own, kind: InterestKind, appId: string, key: string, count: number): void {
    let keys = own[kind].get(appId);
    const had = keys?.has(key) ?? false;
    if (count > 0 && !had) {
      if (own.topicCount + own.userCount >= this.maxEntriesPerGateway) {
        throw new TopicServiceException(
          'too_large',
          `a gateway may hold at most ${this.maxEntriesPerGateway} interest entries`,
        );
      }
      if (keys === undefined) own[kind].set(appId, (keys = new Map()));
      keys.set(key, count);
      if (kind === 'topics') own.topicCount++;
      else own.userCount++;
    } else if (count > 0) {
      keys?.set(key, count);
    } else if (had && keys !== undefined) {
      keys.delete(key);
      if (keys.size === 0) own[kind].delete(appId);
      if (kind === 'topics') own.topicCount--;
      else own.userCount--;
    }
    this.tables[kind].set(appId, key, gateway, count);
  }
}
