import { randomBytes } from 'node:crypto';
import type { cluster } from '@beacon/contracts';
import { MetricsRegistry } from '@beacon/metrics';
import { MemoryHistoryStore, type HistoryStore } from '@beacon/routing';
import { AdmissionTable } from './admission-table.js';
import { AttachSessions, type AttachSession } from './attach-sessions.js';
import { systemClock, type Clock } from './clock.js';
import { CommandTracker } from './command-tracker.js';
import { GatewayInput } from './gateway-input.js';
import { Gateway, GatewayRegistry, type GatewayLink } from './gateway-registry.js';
import { InterestIndex } from './interest-index.js';
import {
  resolveOptions,
  sweepIntervalMs,
  type ResolvedTopicServiceOptions,
  type TopicServiceOptions,
} from './options.js';
import { PushRouting } from './push-routing.js';
import { TopicQueries } from './queries.js';
import { silentLogger, type RouterState, type TopicServiceLogger } from './router-state.js';
import { TopicHistory } from './topic-history.js';
import { TopicPresence } from './topic-presence.js';
import { historyGauges, topicServiceCounters } from './topic-service.metrics.js';

export type { AttachSession } from './attach-sessions.js';
export type { TopicServiceLogger } from './router-state.js';

export interface TopicRouterDeps {
  clock?: Clock;
  logger?: TopicServiceLogger;
  metrics?: MetricsRegistry;
  /** Where history topics keep their messages; in memory (options.history bounds) by default. */
  historyStore?: HistoryStore;
}

/**
 * The cluster's routing brain, free of Nest and gRPC. It builds the shared state and composes the
 * parts: AttachSessions (gateway membership with liveness), GatewayInput (what gateways send),
 * PushRouting (publishes, commands with deadlines), TopicQueries (the read side), TopicHistory (the
 * one authority numbering history topics) and TopicPresence (members of every gateway). All state but
 * history is rebuilt from the gateways' snapshots after a restart; history starts new epochs.
 */
export class TopicRouter {
  readonly options: ResolvedTopicServiceOptions;
  readonly metrics: MetricsRegistry;
  readonly registry = new GatewayRegistry();
  readonly index: InterestIndex<Gateway>;
  readonly admissions: AdmissionTable<Gateway>;
  private readonly clock: Clock;
  private readonly logger: TopicServiceLogger;
  private readonly commands: CommandTracker<Gateway>;
  private readonly sessions: AttachSessions;
  private readonly routing: PushRouting;
  private readonly queries: TopicQueries;
  readonly history: TopicHistory;
  readonly presenceTable: TopicPresence;
  private readonly store: HistoryStore;
  private readonly idPrefix = `m${randomBytes(8).toString('base64url')}.`;
  private idCounter = 0;
  private stopTimers: Array<() => void> = [];

  constructor(options: Partial<TopicServiceOptions> = {}, deps: TopicRouterDeps = {}) {
    this.options = resolveOptions(options);
    const limits = this.options.limits;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? new MetricsRegistry();
    this.index = new InterestIndex<Gateway>(limits.maxEntriesPerGateway);
    this.admissions = new AdmissionTable<Gateway>(limits.maxEntriesPerGateway);
    const counters = topicServiceCounters(this.metrics, () => this.registry.size);
    this.commands = new CommandTracker<Gateway>(this.clock, this.options.commandTimeoutMs, 10_000, (n) => {
      counters.timedOut.value += n;
    });
    const state: RouterState = {
      options: this.options,
      limits,
      clock: this.clock,
      logger: this.logger,
      counters,
      registry: this.registry,
      index: this.index,
      admissions: this.admissions,
      commands: this.commands,
      write: (g, m) => this.sessions.write(g, m),
    };
    this.store =
      deps.historyStore ?? new MemoryHistoryStore({ ...this.options.history, now: () => this.clock.now() });
    this.history = new TopicHistory(this.store, limits);
    this.presenceTable = new TopicPresence(state);
    historyGauges(
      this.metrics,
      () => this.store.stats(),
      () => this.presenceTable.size(),
    );
    const input = new GatewayInput({ ...state, history: this.history, presence: this.presenceTable });
    this.sessions = new AttachSessions(state, input, this.presenceTable);
    this.routing = new PushRouting(state, this.history, () => this.nextId());
    this.queries = new TopicQueries(state, this.history, this.presenceTable);
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
    // Expired history messages, a bounded batch per tick.
    if (this.store instanceof MemoryHistoryStore) {
      const store = this.store;
      every(1000, () => store.sweep());
    }
    every(this.options.statsLogIntervalMs, () =>
      this.logger.debug(`stats ${JSON.stringify(this.counters())}`),
    );
  }

  /** Refuses new gateways, ends every stream (UNAVAILABLE, so gateways reconnect) and settles commands. */
  close(): void {
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    this.sessions.close();
    this.commands.close();
  }

  counters(): Record<string, number> {
    return this.metrics.snapshot();
  }

  /** Removes every gateway from which nothing arrived within the liveness timeout. */
  sweep(): void {
    this.sessions.sweep();
    this.presenceTable.sweep();
  }

  attach(link: GatewayLink): AttachSession {
    return this.sessions.attach(link);
  }

  publish(req: cluster.PublishRequest): cluster.PublishReply {
    return this.routing.publish(req);
  }

  send(req: cluster.SendRequest): Promise<cluster.SendReply> {
    return this.routing.send(req);
  }

  disconnect(req: cluster.DisconnectRequest): Promise<cluster.DisconnectReply> {
    return this.routing.disconnect(req);
  }

  topicSubscribers(req: cluster.TopicSubscribersRequest): cluster.TopicSubscribersReply {
    return this.queries.topicSubscribers(req);
  }

  listTopics(req: cluster.ListTopicsRequest): cluster.ListTopicsReply {
    return this.queries.listTopics(req);
  }

  presence(req: cluster.PresenceRequest): cluster.PresenceReply {
    return this.queries.presence(req);
  }

  clusterStats(): cluster.ClusterStatsReply {
    return this.queries.clusterStats();
  }

  topicPresence(req: cluster.TopicPresenceRequest): cluster.TopicPresenceReply {
    return this.queries.topicPresence(req);
  }

  topicPresenceStats(req: cluster.TopicPresenceRequest): cluster.TopicPresenceStatsReply {
    return this.queries.topicPresenceStats(req);
  }

  readHistory(req: cluster.HistoryRequest): cluster.HistoryReply {
    return this.queries.history(req);
  }

  private nextId(): string {
    return this.idPrefix + (++this.idCounter).toString(36);
  }
}
