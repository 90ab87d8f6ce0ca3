import type { StatsHistory, StatsSnapshot, TopicRow } from '@beacon/admin-api';
import type { cluster } from '@beacon/contracts';
import { nodeOfClient } from '@beacon/routing';
import { aggregate } from './aggregator.js';
import { mergeConnectionPages, type NodeConnectionPage } from './connection-query.js';
import { SAMPLE_INTERVAL_MS } from './local-live-stats.js';
import { TOP_APPS, TOP_N, type NodeSnapshot } from './node-snapshot.js';
import {
  connectionToProto,
  nodeKind,
  nodeStatsFromProto,
  summaryFromProto,
  topicRowFromProto,
} from './proto-convert.js';
import { StatsRing } from './ring.js';
import type { NodeSampler } from './sampler.js';
import { mergeTopicRankings, rankCountedTopics, type ClusterTopicCounts } from './topic-query.js';
import { systemStatsClock, type StatsClock } from './timers.js';

/** The topic-service's side of one node's ReportStats stream. */
export interface ReportLink {
  /** Queues a query for the node; false when the stream is too far behind to take it (then dropped). */
  write(query: cluster.NodeQuery): boolean;
  close(): void;
}

export interface ReportSession {
  receive(report: cluster.NodeReport): void;
  ended(): void;
}

export interface StatsHubOptions {
  /** Queries wait this long for the gateways' answers, then settle with what arrived. */
  queryDeadlineMs?: number;
  /** A node silent for this long is `degraded`; twice as long, it is dropped. */
  staleAfterMs?: number;
  maxNodes?: number;
  maxPendingQueries?: number;
  /**
   * The topic-service's interest table: with it, topic listings carry the exact total and rank by the
   * cluster-wide subscriber counts, as the single process does; without it the total is unknown.
   */
  topicCounts?: ClusterTopicCounts;
}

interface ReportingNode {
  readonly nodeId: string;
  readonly kind: string;
  readonly link: ReportLink;
  last: NodeSnapshot | undefined;
  lastSeen: number;
}

interface Pending {
  waiting: Set<ReportingNode>;
  answers: cluster.QueryAnswer[];
  cancel: () => void;
  resolve: (answers: cluster.QueryAnswer[]) => void;
}

interface Tail {
  listener: (m: cluster.TailedMessage) => void;
  start: cluster.NodeQuery;
  /** Ids of the last messages passed on: every interested gateway sees the same message. */
  recent: string[];
}

export class StatsQueryRefused extends Error {}

/** Set, whatever the decoder made of an unset field (undefined from ts-proto, null from proto-loader). */
function has<T>(x: T | null | undefined): x is T {
  return x !== undefined && x !== null;
}

/**
 * The cluster's one aggregation, in the topic-service: every gateway (and push API) reports a
 * NodeSnapshot a second on its ReportStats stream; once a second the hub merges the latest of each
 * with its own into a StatsSnapshot, appends it to the history ring and hands it to every watcher.
 * Gateways sample their topics only while some watcher is detailed (`mode`). Directory queries are
 * fanned out to the gateways on the same streams and settle at the deadline with what arrived.
 */
export class StatsHub {
  private readonly ring = new StatsRing(SAMPLE_INTERVAL_MS);
  private readonly nodes = new Map<string, ReportingNode>();
  private readonly watchers = new Map<(s: StatsSnapshot) => void, boolean>();
  private readonly pending = new Map<number, Pending>();
  private readonly tails = new Map<number, Tail>();
  private nextId = 1;
  private detailedWatchers = 0;
  private stopTimer: (() => void) | undefined;
  private readonly deadlineMs: number;
  private readonly staleMs: number;
  private readonly maxNodes: number;
  private readonly maxPending: number;
  private readonly topicCounts: ClusterTopicCounts | undefined;

  constructor(
    private readonly own: NodeSampler,
    private readonly clock: StatsClock = systemStatsClock,
    opts: StatsHubOptions = {},
  ) {
    this.deadlineMs = opts.queryDeadlineMs ?? 2_000;
    this.staleMs = opts.staleAfterMs ?? 3_000;
    this.maxNodes = opts.maxNodes ?? 1_000;
    this.maxPending = opts.maxPendingQueries ?? 1_000;
    this.topicCounts = opts.topicCounts;
  }

  start(): void {
    if (this.stopTimer !== undefined) return;
    this.own.sample(this.clock.now());
    this.stopTimer = this.clock.every(SAMPLE_INTERVAL_MS, () => this.tick());
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    for (const n of [...this.nodes.values()]) n.link.close();
    this.nodes.clear();
    for (const [id, p] of this.pending) this.settle(id, p);
  }

  /** Reporting nodes (gateways and push APIs) now. */
  get nodeCount(): number {
    return this.nodes.size;
  }

  tick(): StatsSnapshot {
    const now = this.clock.now();
    const mine = this.own.sample(now);
    const nodes: NodeSnapshot[] = [mine];
    for (const n of [...this.nodes.values()]) {
      if (now - n.lastSeen > 2 * this.staleMs) {
        this.drop(n); // silent too long: its stream is as good as gone
        continue;
      }
      if (n.last !== undefined) nodes.push(n.last);
    }
    const snapshot = aggregate(nodes, {
      ts: now,
      staleAfterMs: this.staleMs,
      totals: { publishesPerSec: mine.publishesPerSec, topics: mine.topics },
    });
    this.ring.push(snapshot);
    for (const w of this.watchers.keys()) {
      try {
        w(snapshot);
      } catch {
        // A watcher's failure is its own.
      }
    }
    return snapshot;
  }

  history(): StatsHistory {
    return this.ring.history();
  }

  /** A watcher gets every snapshot from the next tick on; detailed watchers turn the gateways' lists on. */
  watch(detailed: boolean, listener: (s: StatsSnapshot) => void): () => void {
    this.watchers.set(listener, detailed);
    if (detailed && this.detailedWatchers++ === 0) this.setMode(true);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.watchers.delete(listener);
      if (detailed && --this.detailedWatchers === 0) this.setMode(false);
    };
  }

  // ---- ReportStats streams ----

  connect(link: ReportLink): ReportSession {
    let node: ReportingNode | null = null;
    let done = false;
    return {
      receive: (r) => {
        if (done) return;
        if (node === null) {
          const hello = r.hello;
          if (
            !has(hello) ||
            !/^[A-Za-z0-9_-]{1,64}$/.test(hello.nodeId) ||
            this.nodes.size >= this.maxNodes
          ) {
            done = true;
            link.close();
            return;
          }
          node = {
            nodeId: hello.nodeId,
            kind: nodeKind(hello.kind),
            link,
            last: undefined,
            lastSeen: this.clock.now(),
          };
          const previous = this.nodes.get(node.nodeId);
          if (previous !== undefined) this.drop(previous);
          this.nodes.set(node.nodeId, node);
          link.write({ requestId: 0, mode: { detailed: this.detailedWatchers > 0 } });
          if (node.kind === 'gateway') for (const t of this.tails.values()) link.write(t.start);
          return;
        }
        if (this.nodes.get(node.nodeId) !== node) {
          done = true;
          return;
        }
        node.lastSeen = this.clock.now();
        if (has(r.stats)) {
          const s = nodeStatsFromProto(r.stats, Math.max(TOP_N, TOP_APPS));
          node.last = {
            ...s,
            nodeId: node.nodeId,
            kind: node.kind === 'push-api' ? 'push-api' : 'gateway',
            ts: node.lastSeen,
          };
        } else if (has(r.answer)) {
          this.answered(node, r.answer);
        } else if (has(r.tail) && has(r.tail.message)) {
          this.tailed(Number(r.tail.tailId), r.tail.message);
        }
      },
      ended: () => {
        if (done) return;
        done = true;
        if (node !== null && this.nodes.get(node.nodeId) === node) this.drop(node);
      },
    };
  }

  private drop(n: ReportingNode): void {
    if (this.nodes.get(n.nodeId) === n) this.nodes.delete(n.nodeId);
    n.link.close();
    for (const [id, p] of this.pending) if (p.waiting.delete(n) && p.waiting.size === 0) this.settle(id, p);
  }

  private setMode(detailed: boolean): void {
    this.own.detailed = detailed;
    for (const n of this.nodes.values()) n.link.write({ requestId: 0, mode: { detailed } });
  }

  // ---- directory queries ----

  private gateways(): ReportingNode[] {
    return [...this.nodes.values()].filter((n) => n.kind === 'gateway');
  }

  /** Sends the query to `to` and resolves with their answers, by the deadline at the latest. */
  private ask(
    to: ReportingNode[],
    build: (requestId: number) => cluster.NodeQuery,
  ): Promise<cluster.QueryAnswer[]> {
    if (this.pending.size >= this.maxPending)
      throw new StatsQueryRefused(`more than ${this.maxPending} queries in flight`);
    const requestId = this.nextId++;
    const q = build(requestId);
    const waiting = new Set<ReportingNode>();
    for (const n of to) if (n.link.write(q)) waiting.add(n);
    if (waiting.size === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const p: Pending = { waiting, answers: [], cancel: () => undefined, resolve };
      this.pending.set(requestId, p);
      p.cancel = this.clock.after(this.deadlineMs, () => this.settle(requestId, p));
    });
  }

  private answered(node: ReportingNode, a: cluster.QueryAnswer): void {
    const id = Number(a.requestId);
    const p = this.pending.get(id);
    if (p === undefined || !p.waiting.delete(node)) return;
    p.answers.push(a);
    if (p.waiting.size === 0) this.settle(id, p);
  }

  private settle(id: number, p: Pending): void {
    if (this.pending.get(id) !== p) return;
    this.pending.delete(id);
    p.cancel();
    p.resolve(p.answers);
  }

  async findConnections(req: cluster.FindConnectionsRequest): Promise<cluster.FindConnectionsReply> {
    const limit = clampLimit(req.limit);
    let to = this.gateways();
    // A client id names its gateway (`c<nodeId>.<n>`): ask only that one.
    if (req.clientId !== '') {
      const nodeId = nodeOfClient(req.clientId);
      to = to.filter((n) => n.nodeId === nodeId);
    }
    const answers = await this.ask(to, (requestId) => ({ requestId, findConnections: { ...req, limit } }));
    const pages: NodeConnectionPage[] = answers.map((a) => ({
      items: (a.connections?.items ?? []).slice(0, limit + 1).map(summaryFromProto),
      total: Number(a.connections?.total ?? 0),
    }));
    const page = mergeConnectionPages(pages, limit);
    return { items: page.items.map(connectionToProto), nextCursor: page.nextCursor ?? '', total: page.total };
  }

  async getConnection(clientId: string): Promise<cluster.GetConnectionReply> {
    const nodeId = nodeOfClient(clientId);
    const to = this.gateways().filter((n) => n.nodeId === nodeId);
    const answers = await this.ask(to, (requestId) => ({ requestId, getConnection: { clientId } }));
    const found = answers.find((a) => has(a.connection?.connection));
    return { connection: found?.connection?.connection ?? undefined };
  }

  async listTopics(req: cluster.ListTopicStatsRequest): Promise<cluster.ListTopicStatsReply> {
    const limit = clampLimit(req.limit);
    const offset = Math.min(req.offset, 10_000);
    const sort = req.sort === 'rate' ? 'rate' : 'subscribers';
    const answers = await this.ask(this.gateways(), (requestId) => ({
      requestId,
      listTopics: { ...req, sort, offset, limit },
    }));
    const rankings = answers.map((a) => ({
      items: (a.topics?.items ?? []).slice(0, offset + limit).map(topicRowFromProto),
    }));
    const counts = this.topicCounts;
    if (counts === undefined) {
      // A topic on several gateways is counted by each: the greatest count is a lower bound.
      const total = answers.reduce((m, a) => Math.max(m, Number(a.topics?.total ?? 0)), 0);
      return { items: mergeTopicRankings(rankings, { sort, offset, limit }), total, hasTotal: false };
    }
    const filter = {
      appId: req.appId === '' ? undefined : req.appId,
      prefix: req.prefix === '' ? undefined : req.prefix,
    };
    if (sort === 'rate') {
      // Each gateway sees every message of a topic it has subscribers of, so the merged rate (the greatest)
      // ranks exactly from the gateways' own top lists; the subscriber counts come from the interest table.
      const { total } = rankCountedTopics(counts, filter, 0);
      const items = mergeTopicRankings(rankings, { sort, offset, limit }).map((r) => ({
        ...r,
        subscribers: counts.subscribers(r.appId, r.topic) || r.subscribers,
      }));
      return { items, total, hasTotal: true };
    }
    const ranked = rankCountedTopics(counts, filter, offset + limit);
    const page = ranked.items.slice(offset, offset + limit);
    const seen = new Map<string, TopicRow>();
    for (const r of mergeTopicRankings(rankings, { sort, offset: 0, limit: offset + limit }))
      seen.set(`${r.appId}\u0000${r.topic}`, r);
    const items = await Promise.all(
      page.map(async (row): Promise<TopicRow> => {
        const known = seen.get(`${row.appId}\u0000${row.topic}`);
        // Spread thin over gateways, a topic may be in none of their top lists: ask for its rate.
        const found = known ?? (await this.getTopic(row.appId, row.topic)).topic;
        return found === undefined || found === null
          ? row
          : { ...row, appKey: found.appKey, messagesPerSec: found.messagesPerSec };
      }),
    );
    return { items, total: ranked.total, hasTotal: true };
  }

  async getTopic(appId: string, topic: string): Promise<cluster.GetTopicReply> {
    const answers = await this.ask(this.gateways(), (requestId) => ({
      requestId,
      getTopic: { appId, topic },
    }));
    let row: TopicRow | undefined;
    const nodes: cluster.NodeCount[] = [];
    for (const a of answers) {
      const t = a.topic?.topic;
      if (!has(t)) continue;
      const r = topicRowFromProto(t);
      nodes.push(...(a.topic?.nodes ?? []));
      if (row === undefined) row = r;
      else {
        row.subscribers += r.subscribers;
        row.messagesPerSec = Math.max(row.messagesPerSec, r.messagesPerSec);
      }
    }
    nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    return { topic: row, nodes };
  }

  /** Taps the topic on every gateway (and on those that attach later) until the returned stop is called. */
  tail(appId: string, topic: string, listener: (m: cluster.TailedMessage) => void): () => void {
    const id = this.nextId++;
    const start: cluster.NodeQuery = { requestId: id, tailStart: { appId, topic } };
    this.tails.set(id, { listener, start, recent: [] });
    for (const n of this.gateways()) n.link.write(start);
    return () => {
      if (!this.tails.delete(id)) return;
      for (const n of this.gateways()) n.link.write({ requestId: 0, tailStop: id });
    };
  }

  private tailed(id: number, m: cluster.TailedMessage): void {
    const t = this.tails.get(id);
    if (t === undefined || t.recent.includes(m.id)) return;
    t.recent.push(m.id);
    if (t.recent.length > 64) t.recent.shift();
    t.listener(m);
  }
}

function clampLimit(limit: number): number {
  return Math.max(1, Math.min(500, Math.floor(limit) || 50));
}
