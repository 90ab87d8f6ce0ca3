// Spec support (not exported): a bare Fastify with the admin API over a temp SQLite database and in-memory
// fakes of the ports, listening on 127.0.0.1:0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { AdminClient, type StatsHistory, type StatsSnapshot } from '@beacon/admin-api';
import { Persistence } from '@beacon/persistence';
import type { Router } from '@beacon/routing';
import type { AdminSettings } from '../admin.options.js';
import type {
  ConnectionDetails,
  ConnectionDirectory,
  LiveStats,
  TailedMessage,
  TopicDirectory,
  TopicSummary,
} from '../ports.js';
import { serveAdminOn, type ServedAdmin } from '../serve.js';

export const HISTORY: StatsHistory = {
  intervalMs: 1000,
  ts: [1, 2],
  deliveriesPerSec: [3, 4],
  publishesPerSec: [1, 1],
  connections: [10, 11],
  bytesOutPerSec: [100, 200],
  closesPerSec: { '4008': [0, 1] },
};

export function snapshot(ts: number, apps: StatsSnapshot['apps'] = []): StatsSnapshot {
  return {
    ts,
    totals: {
      nodes: 1,
      connections: 11,
      subscriptions: 20,
      topics: 5,
      deliveriesPerSec: 4,
      publishesPerSec: 1,
      bytesOutPerSec: 200,
    },
    nodes: [],
    apps,
    appsOmitted: 0,
    topTopics: { bySubscribers: [], byRate: [] },
    closesPerSec: {},
  };
}

/** In-memory ports that count their listeners, so specs can see a stream let go of them. */
export class FakePorts {
  readonly statsListeners = new Set<(s: StatsSnapshot) => void>();
  readonly tails = new Map<string, Set<(m: TailedMessage) => void>>();
  topicRows: TopicSummary[] = [];
  nodes: Array<{ nodeId: string; subscribers: number }> = [{ nodeId: 'n1', subscribers: 3 }];
  conns: ConnectionDetails[] = [];

  readonly liveStats: LiveStats = {
    history: () => HISTORY,
    subscribe: (l) => {
      this.statsListeners.add(l);
      return () => this.statsListeners.delete(l);
    },
  };

  readonly topics: TopicDirectory = {
    list: async (q) => {
      let rows = this.topicRows.filter(
        (r) =>
          (q.appId === undefined || r.appId === q.appId) &&
          (q.prefix === undefined || r.topic.startsWith(q.prefix)),
      );
      rows = [...rows].sort((a, b) =>
        q.sort === 'rate' ? b.messagesPerSec - a.messagesPerSec : b.subscribers - a.subscribers,
      );
      return { items: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
    },
    detail: async (appId, topic) => {
      const row = this.topicRows.find((r) => r.appId === appId && r.topic === topic);
      return row === undefined ? null : { ...row, nodes: this.nodes };
    },
    tail: (appId, topic, listener) => {
      const k = `${appId}\n${topic}`;
      let set = this.tails.get(k);
      if (set === undefined) this.tails.set(k, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };

  readonly connections: ConnectionDirectory = {
    find: async (q) => {
      const rows = this.conns.filter(
        (c) =>
          (q.appId === undefined || c.appId === q.appId) &&
          (q.userId === undefined || c.userId === q.userId) &&
          (q.clientId === undefined || c.clientId.startsWith(q.clientId)) &&
          (q.topic === undefined || c.topicList.includes(q.topic)),
      );
      const at = q.cursor === undefined ? 0 : Number(q.cursor);
      const items = rows.slice(at, at + q.limit);
      return {
        items,
        nextCursor: at + q.limit < rows.length ? String(at + q.limit) : null,
        total: rows.length,
      };
    },
    get: async (id) => this.conns.find((c) => c.clientId === id) ?? null,
  };

  tailListeners(): number {
    let n = 0;
    for (const s of this.tails.values()) n += s.size;
    return n;
  }

  emitTail(appId: string, topic: string, m: TailedMessage): void {
    for (const l of this.tails.get(`${appId}\n${topic}`) ?? []) l(m);
  }
}

export class FakeRouter {
  readonly calls: Array<{ op: string; args: unknown[] }> = [];
  asRouter(): Router {
    const record =
      (op: string, answer: unknown) =>
      async (...args: unknown[]) => {
        this.calls.push({ op, args });
        return answer;
      };
    return {
      publish: record('publish', { id: 'm1', ts: 42 }) as Router['publish'],
      sendToUser: record('sendToUser', { id: 'm', ts: 1, delivered: 0 }) as Router['sendToUser'],
      sendToClient: record('sendToClient', { id: 'm', ts: 1, delivered: 0 }) as Router['sendToClient'],
      broadcast: record('broadcast', { id: 'm', ts: 1, delivered: 0 }) as Router['broadcast'],
      disconnect: record('disconnect', 1) as Router['disconnect'],
      topicSubscribers: record('topicSubscribers', 0) as Router['topicSubscribers'],
      topics: record('topics', []) as Router['topics'],
      presence: record('presence', { online: false, connections: 0 }) as Router['presence'],
      history: record('history', { messages: [] }) as unknown as Router['history'],
      presenceMembers: record('presenceMembers', []) as Router['presenceMembers'],
      presenceStats: record('presenceStats', { members: 0 }) as unknown as Router['presenceStats'],
    };
  }
}

export interface AdminHarness {
  url: string;
  fastify: FastifyInstance;
  persistence: Persistence;
  ports: FakePorts;
  router: FakeRouter;
  served: ServedAdmin;
  clock: { now: number };
  /** Signs in (creating the operator if needed); a typed client with its cookie and the own Origin. */
  as(role: 'admin' | 'viewer'): Promise<{ client: AdminClient; cookie: string }>;
  close(): Promise<void>;
}

export async function startHarness(settings: Partial<AdminSettings> = {}): Promise<AdminHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-admin-'));
  const persistence = await Persistence.open({
    databaseUrl: `file:${join(dir, 'beacon.db')}`,
    dataDir: dir,
    migrate: true,
    audit: { flushIntervalMs: 10 },
  });
  const ports = new FakePorts();
  const router = new FakeRouter();
  const clock = { now: Date.now() };
  const fastify = Fastify();
  const served = await serveAdminOn(fastify, {
    options: {
      liveStats: ports.liveStats,
      topics: ports.topics,
      connections: ports.connections,
      settings: { auditPollMs: 20, ...settings },
      now: () => clock.now,
    },
    store: persistence,
    router: router.asRouter(),
    dashboardDir: null,
    maxTopicLength: 200,
    logError: (m) => {
      throw new Error(`admin logged an error: ${m}`);
    },
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = fastify.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const made = new Set<string>();
  return {
    url,
    fastify,
    persistence,
    ports,
    router,
    served,
    clock,
    async as(role) {
      const email = `${role}@spec.test`;
      const password = `${role}-password-12`;
      if (!made.has(role)) {
        await persistence.operators.create({ email, password, role });
        made.add(role);
      }
      const res = await fetch(`${url}/admin/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email, password }),
      });
      if (res.status !== 200) throw new Error(`sign-in ${res.status}`);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
      return { client: new AdminClient({ baseUrl: url, headers: { cookie, origin: url } }), cookie };
    },
    async close() {
      await fastify.close();
      await persistence.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads a server-sent-events response until `until` holds; returns the events seen and a stop function. */
export async function openStream(
  url: string,
  cookie: string,
): Promise<{ events: Array<{ event: string; data: unknown }>; status: number; stop(): void }> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: ac.signal });
  const events: Array<{ event: string; data: unknown }> = [];
  if (res.body !== null) {
    const reader = res.body.getReader();
    let buf = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += new TextDecoder().decode(value);
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev !== undefined && data !== undefined)
            events.push({ event: ev, data: JSON.parse(data) as unknown });
        }
      }
    })().catch(() => undefined);
  }
  return { events, status: res.status, stop: () => ac.abort() };
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
