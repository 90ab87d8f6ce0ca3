import { cluster } from '@beacon/contracts';
import {
  credentials,
  Metadata,
  type CallOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import type {
  DirectReceipt,
  DisconnectTarget,
  HistoryRead,
  Presence,
  PresenceMember,
  PresenceStats,
  PublishOptions,
  PublishReceipt,
  Router,
  StreamPosition,
  Target,
  TopicCount,
} from '@beacon/routing';
import {
  historyFromProto,
  historyToProto,
  memberFromProto,
  receiptFromProto,
  targetToProto,
} from './convert.js';
import { PublishChannel } from './publish-channel.js';

export interface ClusterRouterOptions {
  /** host:port of the topic-service. */
  topicServiceUrl: string;
  /** Deadline of each call. */
  deadlineMs?: number;
  /** The shared cluster token (BEACON_CLUSTER_TOKEN), sent as `authorization: Bearer <token>`. */
  clusterToken?: string;
}

type Unary<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  cb: (err: ServiceError | null, res: Res) => void,
) => ClientUnaryCall;

/** Keep-alive pings so a dead topic-service is noticed even when no call is in flight. */
export const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

/**
 * The push API's Router in the split deployment. Publishes go on one long-lived PublishStream
 * (PublishChannel); every other operation is one unary call to the topic-service, which knows the
 * whole cluster. A failed call or publish rejects; the push API answers 503.
 */
export class ClusterRouter implements Router {
  readonly client: cluster.TopicServiceClient;
  private readonly deadlineMs: number;
  private readonly token: string | undefined;
  private readonly publishes: PublishChannel;

  constructor(options: ClusterRouterOptions) {
    this.token = options.clusterToken === '' ? undefined : options.clusterToken;
    this.client = new cluster.TopicServiceClient(
      options.topicServiceUrl,
      credentials.createInsecure(),
      CHANNEL_OPTIONS,
    );
    this.deadlineMs = options.deadlineMs ?? 5_000;
    this.publishes = new PublishChannel({
      open: (metadata) => this.client.publishStream(metadata),
      metadata: () => this.metadata(),
      deadlineMs: this.deadlineMs,
    });
  }

  async publish(
    appId: string,
    topics: readonly string[],
    dataJson: string,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    const r = await this.publishes.publish({
      appId,
      topics: [...topics],
      dataJson: Buffer.from(dataJson),
      history: historyToProto(topics, options),
    });
    return receiptFromProto(r.id, Number(r.ts), r.positions ?? []);
  }

  async history(
    appId: string,
    topic: string,
    opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead> {
    const req: cluster.HistoryRequest = { appId, topic, limit: opts.limit };
    if (opts.since !== undefined) req.since = opts.since;
    return historyFromProto(await this.call(this.client.history, req));
  }

  async presenceMembers(appId: string, topic: string, limit: number): Promise<PresenceMember[]> {
    const r = await this.call(this.client.topicPresence, { appId, topic, limit });
    const out: PresenceMember[] = [];
    for (const m of r.members) {
      const member = memberFromProto(m);
      if (member !== null) out.push(member);
    }
    return out;
  }

  async presenceStats(appId: string, topic: string): Promise<PresenceStats> {
    const r = await this.call(this.client.topicPresenceStats, { appId, topic, limit: 0 });
    return { clients: r.clients, users: r.users };
  }

  sendToUser(appId: string, userId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.send(appId, { kind: 'user', userId }, dataJson, topic);
  }

  sendToClient(appId: string, clientId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.send(appId, { kind: 'client', clientId }, dataJson, topic);
  }

  broadcast(appId: string, dataJson: string, topic?: string): Promise<DirectReceipt> {
    return this.send(appId, { kind: 'broadcast' }, dataJson, topic);
  }

  async disconnect(appId: string, target: DisconnectTarget): Promise<number> {
    const r = await this.call(this.client.disconnect, { appId, ...target });
    return r.disconnected;
  }

  async topicSubscribers(appId: string, topic: string): Promise<number> {
    const r = await this.call(this.client.topicSubscribers, { appId, topics: [topic] });
    return r.topics[0]?.subscribers ?? 0;
  }

  async topics(appId: string, opts: { prefix?: string; limit?: number } = {}): Promise<TopicCount[]> {
    const r = await this.call(this.client.listTopics, {
      appId,
      prefix: opts.prefix ?? '',
      limit: opts.limit ?? 0,
    });
    return r.topics;
  }

  async presence(appId: string, userId: string): Promise<Presence> {
    const r = await this.call(this.client.presence, { appId, userId });
    return { online: r.online, connections: r.connections };
  }

  async clusterStats(): Promise<cluster.ClusterStatsReply> {
    return this.call(this.client.clusterStats, {});
  }

  close(): void {
    this.publishes.close();
    this.client.close();
  }

  /** Metadata for every call to the topic-service: the cluster token when one is set. */
  metadata(): Metadata {
    const md = new Metadata();
    if (this.token !== undefined) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  private async send(
    appId: string,
    target: Target,
    dataJson: string,
    topic?: string,
  ): Promise<DirectReceipt> {
    const req: cluster.SendRequest = {
      appId,
      target: targetToProto(target),
      dataJson: Buffer.from(dataJson),
    };
    if (topic !== undefined) req.topic = topic;
    const r = await this.call(this.client.send, req);
    return { id: r.id, ts: r.ts, delivered: r.delivered };
  }

  private call<Req, Res>(method: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(
        this.client,
        req,
        this.metadata(),
        { deadline: Date.now() + this.deadlineMs },
        (err, res) => (err === null ? resolve(res) : reject(err)),
      );
    });
  }
}
