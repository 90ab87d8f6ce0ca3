import { IdSequence } from './ids.js';
import type {
  DirectReceipt,
  DisconnectTarget,
  GatewayNode,
  Outbound,
  Presence,
  PublishReceipt,
  Router,
  Target,
  TopicCount,
} from './router.js';

/** Routes within one process: every attached node is asked directly. */
export class LocalRouter implements Router {
  private readonly nodes = new Set<GatewayNode>();
  private readonly ids: IdSequence;

  constructor(nodeId: string) {
    this.ids = new IdSequence(`m${nodeId}`);
  }

  attach(node: GatewayNode): void {
    this.nodes.add(node);
  }

  detach(node: GatewayNode): void {
    this.nodes.delete(node);
  }

  async publish(appId: string, topics: readonly string[], dataJson: string): Promise<PublishReceipt> {
    const ts = Date.now();
    const id = this.ids.next();
    for (const topic of topics) this.deliverAll({ kind: 'topic', topic }, { appId, topic, dataJson, id, ts });
    return { id, ts };
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
