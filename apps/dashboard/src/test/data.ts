import type {
  App,
  AuditRecord,
  ConnectionDetail,
  StatsHistory,
  StatsSnapshot,
  TopicRow,
} from '@beacon/admin-api';

export const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

export function app(key: string, over: Partial<App> = {}): App {
  return {
    id: `app_${key}`,
    key,
    name: key.toUpperCase(),
    enabled: true,
    createdAt: '2026-10-01T08:00:00.000Z',
    connections: 12,
    settings: {
      allowAnonymous: false,
      clientPublish: true,
      maxConnections: 1000,
      publishRate: null,
      publishBurst: null,
      maxTopicsPerConnection: 50,
      maxMessageBytes: null,
      maxTokenLifetimeSec: null,
    },
    ...over,
  };
}

export function topic(name: string, subscribers: number, over: Partial<TopicRow> = {}): TopicRow {
  return { appId: 'app_chat', appKey: 'chat', topic: name, subscribers, messagesPerSec: 2.5, ...over };
}

export function snapshot(ts: number, over: Partial<StatsSnapshot['totals']> = {}): StatsSnapshot {
  return {
    ts,
    totals: {
      nodes: 2,
      connections: 48_200,
      subscriptions: 120_000,
      topics: 5_100,
      deliveriesPerSec: 12_345,
      publishesPerSec: 321,
      bytesOutPerSec: 3_400_000,
      ...over,
    },
    nodes: [
      {
        id: 'gw-1',
        kind: 'gateway',
        address: '10.0.0.1:9001',
        status: 'up',
        startedAt: ts - 3 * 86_400_000 - 4 * 3_600_000,
        connections: 24_100,
        subscriptions: 60_000,
        topics: 3_000,
        rssBytes: 210_000_000,
        heapUsedBytes: 120_000_000,
        eventLoopP99Ms: 4.2,
        deliveriesPerSec: 6000,
        publishesPerSec: 0,
        bytesOutPerSec: 1_700_000,
      },
      {
        id: 'gw-2',
        kind: 'gateway',
        address: '10.0.0.2:9001',
        status: 'degraded',
        startedAt: ts - 5 * 60_000,
        connections: 24_100,
        subscriptions: 60_000,
        topics: 3_000,
        rssBytes: 200_000_000,
        heapUsedBytes: 110_000_000,
        eventLoopP99Ms: 48,
        deliveriesPerSec: 6345,
        publishesPerSec: 0,
        bytesOutPerSec: 1_700_000,
      },
    ],
    apps: [
      {
        appId: 'app_chat',
        appKey: 'chat',
        connections: 40_000,
        subscriptions: 100_000,
        topics: 5000,
        publishesPerSec: 300,
        deliveriesPerSec: 12_000,
      },
      {
        appId: 'app_iot',
        appKey: 'iot',
        connections: 8_200,
        subscriptions: 20_000,
        topics: 100,
        publishesPerSec: 21,
        deliveriesPerSec: 345,
      },
    ],
    appsOmitted: 3,
    topTopics: {
      bySubscribers: [topic('rooms/general', 9000)],
      byRate: [topic('rooms/busy', 10, { messagesPerSec: 90 })],
    },
    closesPerSec: { '1000': 4 },
  };
}

export function history(end: number, n = 5): StatsHistory {
  const ts = Array.from({ length: n }, (_, i) => end - (n - i) * 1000);
  return {
    intervalMs: 1000,
    ts,
    deliveriesPerSec: ts.map((_, i) => 100 + i),
    publishesPerSec: ts.map((_, i) => 10 + i),
    connections: ts.map(() => 48_000),
    bytesOutPerSec: ts.map(() => 1000),
    closesPerSec: { '4008': ts.map((_, i) => (i === 1 ? 2 : 0)) },
  };
}

export function connection(clientId: string, over: Partial<ConnectionDetail> = {}): ConnectionDetail {
  return {
    clientId,
    appId: 'app_chat',
    appKey: 'chat',
    userId: 'user-42',
    nodeId: 'gw-1',
    connectedAt: T0 - 3_600_000,
    remoteAddress: '10.1.2.3:50000',
    topics: 2,
    topicList: ['rooms/general', 'rooms/eng'],
    userAgent: 'Mozilla/5.0 Test',
    info: { name: 'Ada' },
    messagesIn: 12,
    messagesOut: 3400,
    bytesIn: 1200,
    bytesOut: 1_200_000,
    ...over,
  };
}

export function auditRecord(id: string, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id,
    ts: '2026-12-02T11:00:00.000Z',
    actor: 'operator:admin@example.com',
    appId: 'app_chat',
    action: 'app.rotate',
    target: 'chat',
    result: 'ok',
    remoteAddr: '10.0.0.5',
    count: 1,
    detail: null,
    ...over,
  };
}
