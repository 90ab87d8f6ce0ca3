import type { AppStatsRow, TopicRow } from '@beacon/admin-api';
import type { AppView, ClientGateway, Hub } from '@beacon/gateway';
import type { Counter, MetricsRegistry } from '@beacon/metrics';
import { CLOSE_REASONS } from '@beacon/protocol';
import { TOP_APPS, TOP_N } from './node-snapshot.js';
import { round, type NodeCounters, type NodeDetail, type NodeSource } from './sampler.js';
import { TopN } from './top-n.js';
import { topicRow, TopicRates } from './topic-rates.js';

const byKey = (a: TopicRow, b: TopicRow): number =>
  a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0;

/**
 * A gateway's hub and counters as a NodeSource. Counters are the registry's own objects (read, never
 * copied per event); the per-app and per-topic counters are the hub's plain fields.
 */
export class HubSource implements NodeSource {
  readonly nodeId: string;
  readonly startedAt: number;
  readonly rates: TopicRates;
  private readonly hub: Hub;
  private readonly deliveries: Counter;
  private readonly deliveredBytes: Counter;
  private readonly messages: Counter;
  private readonly closeCounters: Array<[string, Counter]>;
  private readonly clientCloses: Counter;
  private previousApps = new Map<string, { messages: number; deliveries: number }>();

  constructor(
    gateway: ClientGateway,
    metrics: MetricsRegistry,
    readonly kind: 'single' | 'gateway',
    readonly address: string,
    startedAt = Date.now(),
  ) {
    this.hub = gateway.hub;
    this.nodeId = gateway.nodeId;
    this.startedAt = startedAt;
    this.rates = new TopicRates(this.hub);
    // The same names the hub and the gateway registered: the registry hands back their objects.
    this.deliveries = metrics.counter('beacon_deliveries_total', 'Messages written to client sockets');
    this.deliveredBytes = metrics.counter('beacon_delivered_bytes_total', 'Bytes written to client sockets');
    this.messages = metrics.counter(
      'beacon_messages_routed_total',
      'Messages that reached this node for delivery',
    );
    this.clientCloses = metrics.counter(
      'beacon_client_disconnects_total',
      'Connections closed by the client',
    );
    this.closeCounters = Object.keys(CLOSE_REASONS).map((code) => [
      code,
      metrics.counter(
        `beacon_closed_${code}_total`,
        `Connections the server closed with code ${code} (${CLOSE_REASONS[Number(code) as keyof typeof CLOSE_REASONS]})`,
      ),
    ]);
  }

  counters(): NodeCounters {
    const closes: Record<string, number> = { client: this.clientCloses.value };
    for (const [code, c] of this.closeCounters) closes[code] = c.value;
    return {
      deliveries: this.deliveries.value,
      deliveredBytes: this.deliveredBytes.value,
      publishes: this.messages.value,
      closes,
    };
  }

  gauges(): { connections: number; subscriptions: number; topics: number } {
    let topics = 0;
    for (const app of this.hub.appViews()) topics += app.topics.size;
    return { connections: this.hub.connectionCount(), subscriptions: this.hub.subscriptions, topics };
  }

  detail(now: number, intervalMs: number): NodeDetail {
    const bySubs = new TopN<TopicRow>(TOP_N, (r) => r.subscribers, byKey);
    const byRate = new TopN<TopicRow>(TOP_N, (r) => r.messagesPerSec, byKey);
    this.rates.pass(now, (app, topic, entry) => {
      if (bySubs.wouldTake(entry.subs.size)) bySubs.push(topicRow(app, topic, entry));
      if (entry.rate > 0 && byRate.wouldTake(entry.rate)) byRate.push(topicRow(app, topic, entry));
    });
    const apps = new TopN<AppStatsRow>(
      TOP_APPS,
      (a) => a.connections,
      (a, b) => (a.appId < b.appId ? -1 : 1),
    );
    const seen = new Map<string, { messages: number; deliveries: number }>();
    let count = 0;
    for (const app of this.hub.appViews()) {
      count++;
      seen.set(app.appId, { messages: app.messages, deliveries: app.deliveries });
      apps.push(this.appRow(app, intervalMs));
    }
    this.previousApps = seen;
    return {
      apps: apps.take(),
      appsOmitted: Math.max(0, count - TOP_APPS),
      topBySubscribers: bySubs.take(),
      topByRate: byRate.take(),
    };
  }

  private appRow(app: AppView, intervalMs: number): AppStatsRow {
    const prev = this.previousApps.get(app.appId);
    const rate = (cur: number, old: number | undefined): number =>
      old === undefined ? 0 : round(((cur - old) * 1000) / intervalMs);
    return {
      appId: app.appId,
      appKey: app.appKey,
      connections: app.connections,
      subscriptions: app.subscriptions,
      topics: app.topics.size,
      publishesPerSec: rate(app.messages, prev?.messages),
      deliveriesPerSec: rate(app.deliveries, prev?.deliveries),
    };
  }
}
