import type { HistoryRead, HistoryStore, StreamPosition } from './history.js';
import { IdSequence } from './ids.js';
import { PresenceTable, type PresenceMember, type PresenceStats } from './presence.js';
import type {
  DirectReceipt,
  DisconnectTarget,
  GatewayNode,
  JoinResult,
  NodeLink,
  Outbound,
  Presence,
  PublishOptions,
  PublishReceipt,
  Router,
  Target,
  TopicCount,
} from './router.js';

/**
 * Routes within one process: every attached node is asked directly. It is the one authority for the
 * process's history topics (it numbers their messages, in delivery order, in `history`) and presence.
 */
export class LocalRouter implements Router, NodeLink {
  private readonly nodes = new Set<GatewayNode>();
  private readonly ids: IdSequence;
  readonly presenceTable = new PresenceTable();

  constructor(
    nodeId: string,
    /** Where history topics keep their messages; without one, no topic keeps history. */
    readonly historyStore?: HistoryStore,
  ) {
    this.ids = new IdSequence(`m${nodeId}`);
  }

  attach(node: GatewayNode): void {
    this.nodes.add(node);
  }

  detach(node: GatewayNode): void {
    this.nodes.delete(node);
  }

  async publish(
    appId: string,
    topics: readonly string[],
    dataJson: string,
    options: PublishOptions = {},
  ): Promise<PublishReceipt> {
    const ts = Date.now();
    const id = this.ids.next();
    let positions: Record<string, StreamPosition> | undefined;
    for (let i = 0; i < topics.length; i++) {
      const topic = topics[i]!;
      const rule = options.history?.[i];
      if (rule !== undefined && rule !== null && this.historyStore !== undefined) {
        // Numbered and stored, then delivered, in one synchronous step: offsets follow delivery order.
        const pos = this.historyStore.append(appId, topic, { id, ts, dataJson }, rule);
        (positions ??= {})[topic] = pos;
        this.deliverAll({ kind: 'topic', topic }, { appId, topic, dataJson, id, ts, ...pos });
      } else this.deliverAll({ kind: 'topic', topic }, { appId, topic, dataJson, id, ts });
    }
    return positions === undefined ? { id, ts } : { id, ts, positions };
  }

  async history(
    appId: string,
    topic: string,
    opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead> {
    if (this.historyStore === undefined)
      return { messages: [], position: opts.since ?? { offset: 0, epoch: '' }, recovered: false };
    return this.historyStore.read(appId, topic, opts);
  }

  async presenceJoin(
    appId: string,
    topic: string,
    member: PresenceMember,
    nodeId: string,
    limit: number,
  ): Promise<JoinResult> {
    const r = this.presenceTable.join(appId, topic, member, nodeId, limit);
    if (r === 'joined') for (const node of this.nodes) node.deliverPresence(appId, topic, 'join', member);
    return r;
  }

  presenceLeave(appId: string, topic: string, clientId: string): void {
    const member = this.presenceTable.leave(appId, topic, clientId);
    if (member !== null) for (const node of this.nodes) node.deliverPresence(appId, topic, 'leave', member);
  }

  async presenceMembers(appId: string, topic: string, limit: number): Promise<PresenceMember[]> {
    return this.presenceTable.members(appId, topic, limit);
  }

  async presenceStats(appId: string, topic: string): Promise<PresenceStats> {
    return this.presenceTable.stats(appId, topic);
  }

  async sendToUser(appId: string, userId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.direct({ kind: 'user', userId }, appId, dataJson, topic);
  }

  async sendToClient(
    appId: string,
    clientId: string,
    dataJson: string,
    topic?: string,
  ): Promise<DirectReceipt> {
    return this.direct({ kind: 'client', clientId }, appId, dataJson, topic);
  }

  async broadcast(appId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.direct({ kind: 'broadcast' }, appId, dataJson, topic);
  }

  async disconnect(appId: string, target: DisconnectTarget): Promise<number> {
    let n = 0;
    for (const node of this.nodes) n += node.disconnect(appId, target);
    return n;
  }

  async topicSubscribers(appId: string, topic: string): Promise<number> {
    let n = 0;
    for (const node of this.nodes) n += node.topicSubscribers(appId, topic);
    return n;
  }

  async topics(appId: string, opts: { prefix?: string; limit?: number } = {}): Promise<TopicCount[]> {
    const counts = new Map<string, number>();
    for (const node of this.nodes) {
      for (const { topic, subscribers } of node.topics(appId)) {
        if (opts.prefix !== undefined && !topic.startsWith(opts.prefix)) continue;
        counts.set(topic, (counts.get(topic) ?? 0) + subscribers);
      }
    }
    const all = [...counts].map(([topic, subscribers]) => ({ topic, subscribers }));
    all.sort((a, b) => b.subscribers - a.subscribers || (a.topic < b.topic ? -1 : 1));
    return opts.limit === undefined ? all : all.slice(0, opts.limit);
  }

  async presence(appId: string, userId: string): Promise<Presence> {
    let connections = 0;
    for (const node of this.nodes) connections += node.presence(appId, userId);
    return { online: connections > 0, connections };
  }

  private direct(target: Target, appId: string, dataJson: string, topic?: string): DirectReceipt {
    const ts = Date.now();
    const id = this.ids.next();
    const delivered = this.deliverAll(target, { appId, topic, dataJson, id, ts });
    return { id, ts, delivered };
  }

  private deliverAll(target: Target, message: Outbound): number {
    let n = 0;
    for (const node of this.nodes) n += node.deliver(target, message);
    return n;
  }
}
