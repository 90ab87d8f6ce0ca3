import { randomBytes } from 'node:crypto';
import type { cluster } from '@beacon/contracts';
import { MetricsRegistry } from '@beacon/metrics';
import { AdmissionTable } from './admission-table.js';
import { systemClock, type Clock } from './clock.js';
import { CommandTracker } from './command-tracker.js';
import { fanOut } from './fan-out.js';
import { GatewayInput } from './gateway-input.js';
import { EMPTY_GATEWAY_STATS, Gateway, GatewayRegistry, type GatewayLink } from './gateway-registry.js';
import { InterestIndex } from './interest-index.js';
import {
  DEFAULT_LIST_LIMIT,
  isValidNodeId,
  isValidTopicName,
  requireValid,
  type TopicServiceLimits,
} from './limits.js';
import {
  resolveOptions,
  sweepIntervalMs,
  type ResolvedTopicServiceOptions,
  type TopicServiceOptions,
} from './options.js';
import { TopicServiceException } from './topic-service.exception.js';
import { topicServiceCounters } from './topic-service.metrics.js';

/** What the router logs through; Nest's Logger fits. */
export interface TopicServiceLogger {
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

const silentLogger: TopicServiceLogger = { log() {}, warn() {}, debug() {} };

/** One gateway's Attach stream as the router sees it: feed it what arrives, tell it when it ends. */
export interface AttachSession {
  receive(message: cluster.GatewayMessage): void;
  /** The stream ended, errored or was cancelled by the peer. */
  ended(): void;
}

export interface TopicRouterDeps {
  clock?: Clock;
  logger?: TopicServiceLogger;
  metrics?: MetricsRegistry;
}

/**
 * The cluster's routing brain, free of Nest and gRPC: gateway membership with liveness, the interest
 * index, routing of publishes to exactly the interested gateways, commands with deadlines, and the
 * read-side queries. All state is rebuilt from the gateways' snapshots after a restart.
 */
export class TopicRouter {
  readonly options: ResolvedTopicServiceOptions;
  readonly metrics: MetricsRegistry;
  readonly registry = new GatewayRegistry();
  readonly index: InterestIndex<Gateway>;
  readonly admissions: AdmissionTable<Gateway>;
  private readonly commands: CommandTracker<Gateway>;
  private readonly clock: Clock;
  private readonly logger: TopicServiceLogger;
  private readonly limits: TopicServiceLimits;
  private readonly idPrefix = `m${randomBytes(8).toString('base64url')}.`;
  private idCounter = 0;
  private closing = false;
  private stopTimers: Array<() => void> = [];
  private readonly c: ReturnType<typeof topicServiceCounters>;
  private readonly input: GatewayInput;

  constructor(options: Partial<TopicServiceOptions> = {}, deps: TopicRouterDeps = {}) {
    this.options = resolveOptions(options);
    this.limits = this.options.limits;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? new MetricsRegistry();
    this.index = new InterestIndex<Gateway>(this.limits.maxEntriesPerGateway);
    this.admissions = new AdmissionTable<Gateway>(this.limits.maxEntriesPerGateway);
    this.c = topicServiceCounters(this.metrics, () => this.registry.size);
    this.commands = new CommandTracker<Gateway>(this.clock, this.options.commandTimeoutMs, 10_000, (n) => {
      this.c.timedOut.value += n;
    });
    this.input = new GatewayInput({
      limits: this.limits,
      clock: this.clock,
      logger: this.logger,
      counters: this.c,
      index: this.index,
      admissions: this.admissions,
      commands: this.commands,
      write: this.writeTo,
    });
  }

  /** Starts the liveness sweep and the periodic stats log (timers never keep the process alive). */
  start(): void {
    const every = (ms: number, fn: () => void): void => {
      const tick = (): void => {
        fn();
        this.stopTimers[slot] = this.clock.setTimer(tick, ms);
      };
      const slot = this.stopTimers.length;
      this.stopTimers.push(this.clock.setTimer(tick, ms));
    };
    every(sweepIntervalMs(this.options), () => this.sweep());
    every(this.options.statsLogIntervalMs, () =>
      this.logger.debug(`stats ${JSON.stringify(this.counters())}`),
    );
  }

  /** Refuses new gateways, ends every stream (UNAVAILABLE, so gateways reconnect) and settles commands. */
  close(): void {
    this.closing = true;
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    const err = new TopicServiceException('shutting_down', 'topic-service shutting down');
    for (const g of [...this.registry.all()]) this.removeGateway(g, 'shutdown', err);
    this.commands.close();
  }

  counters(): Record<string, number> {
    return this.metrics.snapshot();
  }

  /** Removes every gateway from which nothing arrived within the liveness timeout. */
  sweep(): void {
    for (const g of this.registry.expired(this.clock.now(), this.options.livenessTimeoutMs)) {
      this.c.expired.value++;
      this.removeGateway(g, 'liveness timeout', new TopicServiceException('expired', 'liveness timeout'));
    }
  }

  // ---- Attach streams ----

  attach(link: GatewayLink): AttachSession {
    let gateway: Gateway | null = null;
    let done = false;
    const fail = (err: TopicServiceException): void => {
      done = true;
      if (gateway !== null) this.removeGateway(gateway, err.message, err);
      else link.close(err);
    };
    return {
      receive: (msg) => {
        if (done) return;
        if (gateway !== null && this.registry.get(gateway.nodeId) !== gateway) {
          done = true; // removed (expired, replaced, slow): what still arrives on its stream is ignored
          return;
        }
        try {
          if (gateway === null) gateway = this.register(link, msg);
          else this.input.receive(gateway, msg);
        } catch (err) {
          fail(
            err instanceof TopicServiceException
              ? err
              : new TopicServiceException('invalid_argument', `bad message: ${String(err)}`),
          );
        }
      },
      ended: () => {
        if (done) return;
        done = true;
        if (gateway !== null) this.removeGateway(gateway, 'stream ended');
        else link.close();
      },
    };
  }

  private register(link: GatewayLink, msg: cluster.GatewayMessage): Gateway {
    const reg = msg.register;
    if (reg === undefined || reg === null) {
      throw new TopicServiceException('not_registered', 'the first message on Attach must be register');
    }
    if (!isValidNodeId(reg.nodeId)) {
      throw new TopicServiceException('invalid_argument', 'register.node_id: 1-64 chars of A-Z a-z 0-9 _ -');
    }
    if (this.closing) throw new TopicServiceException('shutting_down', 'topic-service shutting down');
    const address = typeof reg.address === 'string' ? reg.address.slice(0, 256) : '';
    const gateway = new Gateway(reg.nodeId, address, link, this.clock.now());
    const previous = this.registry.get(gateway.nodeId);
    if (previous !== undefined) {
      const err = new TopicServiceException('replaced', 'replaced by a newer Attach with the same node id');
      this.removeGateway(previous, 'replaced', err);
    }
    this.registry.add(gateway);
    link.write({
      registered: {
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        livenessTimeoutMs: this.options.livenessTimeoutMs,
      },
    });
    this.logger.log(`gateway ${gateway.nodeId} attached (${address || 'no address'})`);
    return gateway;
  }

  private removeGateway(g: Gateway, why: string, error?: TopicServiceException): void {
    g.link.close(error);
    if (!this.registry.remove(g)) return;
    this.index.remove(g);
    this.admissions.remove(g);
    this.commands.forget(g);
    this.logger.log(`gateway ${g.nodeId} detached: ${why}`);
  }

  private readonly writeTo = (g: Gateway, m: cluster.RouterMessage): boolean => this.write(g, m);

  /** Writes to one gateway; a gateway that stopped reading is dropped (it reconnects and resyncs). */
  private write(g: Gateway, m: cluster.RouterMessage): boolean {
    const { maxQueuedPerGateway, maxQueuedBytesPerGateway } = this.limits;
    if (g.link.queued >= maxQueuedPerGateway || g.link.queuedBytes >= maxQueuedBytesPerGateway) {
      this.c.slow.value++;
      const err = new TopicServiceException(
        'slow_gateway',
        g.link.queued >= maxQueuedPerGateway
          ? `more than ${maxQueuedPerGateway} messages waiting`
          : `more than ${maxQueuedBytesPerGateway} bytes waiting`,
      );
      this.removeGateway(g, err.message, err);
      return false;
    }
    g.link.write(m);
    if (m.command !== undefined) this.c.commandsSent.value++;
    if (m.message !== undefined || m.command?.send !== undefined) this.c.sent.value++;
    return true;
  }

  // ---- Push API operations ----

  publish(req: cluster.PublishRequest): cluster.PublishReply {
    const appId = this.appId(req.appId);
    const topics = requireValid.topics(this.limits, req.topics, this.limits.maxTopicsPerPublish);
    if (topics.length === 0) throw invalid('topics: at least one topic');
    const dataJson = requireValid.data(req.dataJson);
    const id = this.nextId();
    const ts = this.clock.now();
    this.c.routed.value += topics.length;
    fanOut(this.index, { appId, dataJson, id, ts }, topics, undefined, this.writeTo);
    return { id, ts };
  }

  async send(req: cluster.SendRequest): Promise<cluster.SendReply> {
    const appId = this.appId(req.appId);
    const t = req.target ?? undefined;
    const label = req.topic === undefined || req.topic === null || req.topic === '' ? undefined : req.topic;
    if (label !== undefined && !isValidTopicName(label, this.limits)) throw invalid('topic: invalid topic');
    const dataJson = requireValid.data(req.dataJson);
    let target: cluster.Target;
    let gateways: Iterable<Gateway>;
    if (t?.userId !== undefined && t.userId !== null) {
      target = { userId: this.userId(t.userId) };
      gateways = this.index.userGateways(appId, target.userId as string)?.keys() ?? [];
    } else if (t?.clientId !== undefined && t.clientId !== null) {
      target = { clientId: t.clientId };
      gateways = this.clientGateway(t.clientId);
    } else if (t?.topic !== undefined && t.topic !== null) {
      if (!isValidTopicName(t.topic, this.limits)) throw invalid('target.topic: invalid topic');
      target = { topic: t.topic };
      gateways = this.index.topicGateways(appId, t.topic)?.keys() ?? [];
    } else if (t?.broadcast === true) {
      target = { broadcast: true };
      gateways = [...this.registry.all()];
    } else {
      throw invalid('target: one of topic, user_id, client_id or broadcast=true');
    }
    const id = this.nextId();
    const ts = this.clock.now();
    this.c.routed.value++;
    const message: cluster.Message = {
      appId,
      target,
      topic: label ?? target.topic,
      dataJson,
      id,
      ts,
      topics: [],
    };
    const delivered = await this.commands.dispatch(
      gateways,
      (requestId): cluster.RouterMessage => ({ command: { requestId, send: message } }),
      (g, m) => this.write(g, m),
    );
    return { id, ts, delivered };
  }

  async disconnect(req: cluster.DisconnectRequest): Promise<cluster.DisconnectReply> {
    const appId = this.appId(req.appId);
    let command: cluster.DisconnectRequest;
    let gateways: Iterable<Gateway>;
    if (req.clientId !== undefined && req.clientId !== null) {
      command = { appId, clientId: req.clientId };
      gateways = this.clientGateway(req.clientId);
    } else if (req.userId !== undefined && req.userId !== null) {
      command = { appId, userId: this.userId(req.userId) };
      gateways = this.index.userGateways(appId, req.userId)?.keys() ?? [];
    } else {
      throw invalid('who: one of client_id or user_id');
    }
    const disconnected = await this.commands.dispatch(
      gateways,
      (requestId): cluster.RouterMessage => ({ command: { requestId, disconnect: command } }),
      (g, m) => this.write(g, m),
    );
    return { disconnected };
  }

  // ---- Queries (sums over the index) ----

  topicSubscribers(req: cluster.TopicSubscribersRequest): cluster.TopicSubscribersReply {
    const appId = this.appId(req.appId);
    const topics = requireValid.topics(this.limits, req.topics, this.limits.maxTopicsPerQuery);
    return {
      topics: topics.map((topic) => ({ topic, subscribers: this.index.topicSubscribers(appId, topic) })),
    };
  }

  listTopics(req: cluster.ListTopicsRequest): cluster.ListTopicsReply {
    const appId = this.appId(req.appId);
    const prefix = req.prefix ?? '';
    if (prefix.length > this.limits.maxTopicLength) throw invalid('prefix: too long');
    const limit = req.limit ? Math.min(req.limit, this.limits.maxListLimit) : DEFAULT_LIST_LIMIT;
    return { topics: this.index.topTopics(appId, prefix, limit) };
  }

  presence(req: cluster.PresenceRequest): cluster.PresenceReply {
    const connections = this.index.userConnections(this.appId(req.appId), this.userId(req.userId));
    return { online: connections > 0, connections };
  }

  clusterStats(): cluster.ClusterStatsReply {
    const gateways: cluster.GatewayInfo[] = [];
    for (const g of this.registry.all()) {
      gateways.push({
        nodeId: g.nodeId,
        address: g.address,
        attachedAt: g.attachedAt,
        lastSeen: g.lastSeen,
        stats: g.stats ?? EMPTY_GATEWAY_STATS,
        topics: this.index.topicCount(g),
        connectionSlots: this.admissions.slotsOf(g),
      });
    }
    return { gateways, messagesRoutedTotal: this.c.routed.value, deliveriesSentTotal: this.c.sent.value };
  }

  private clientGateway(clientId: unknown): Gateway[] {
    const g = this.registry.get(requireValid.clientNode(clientId));
    return g === undefined ? [] : [g];
  }

  private appId(appId: unknown): string {
    return requireValid.appId(this.limits, appId);
  }

  private userId(userId: unknown): string {
    return requireValid.userId(this.limits, userId);
  }

  private nextId(): string {
    return this.idPrefix + (++this.idCounter).toString(36);
  }
}

const invalid = requireValid.invalid;
