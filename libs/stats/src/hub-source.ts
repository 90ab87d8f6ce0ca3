import type { AppStatsRow, TopicRow } from '@beacon/admin-api';
import type { AppView, ClientGateway, Hub } from '@beacon/gateway';
import { TOP_APPS, TOP_N } from './node-snapshot.js';
import { round, type NodeCounters, type NodeDetail, type NodeSource } from './sampler.js';
import { TopN } from './top-n.js';
import { topicRow, TopicRates } from './topic-rates.js';

const byKey = (a: TopicRow, b: TopicRow): number =>
  a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0;

/**
 * A gateway's hub as a NodeSource: its node counts (`Hub.stats()`, read once per sample) and its per-app
 * and per-topic counters (the hub's plain fields).
 */
export class HubSource implements NodeSource {
  readonly nodeId: string;
  readonly startedAt: number;
  readonly rates: TopicRates;
  private readonly hub: Hub;
  private previousApps = new Map<string, { messages: number; deliveries: number }>();

  constructor(
    gateway: ClientGateway,
    readonly kind: 'single' | 'gateway',
    readonly address: string,
    startedAt = Date.now(),
  ) {
    this.hub = gateway.hub;
    this.nodeId = gateway.nodeId;
    this.startedAt = startedAt;
    this.rates = new TopicRates(this.hub);
  }

  counters(): NodeCounters {
    const s = this.hub.stats();
    const closes: Record<string, number> = { client: s.clientCloses };
    for (const [code, n] of Object.entries(s.serverCloses)) closes[code] = n;
    return {
      deliveries: s.deliveries,
      deliveredBytes: s.deliveredBytes,
      publishes: s.messagesRouted,
      closes,
    };
  }

  gauges(): { connections: number; subscriptions: number; topics: number } {
    const s = this.hub.stats();
    return { connections: s.connections, subscriptions: s.subscriptions, topics: s.topics };
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
