import type { ConnectionDetails, ConnectionQuery, ConnectionSummary } from '@beacon/admin';
import type { Connection, Hub } from '@beacon/gateway';
import { parseClientId, type ClientIdParts } from '@beacon/routing';
import { TopN } from './top-n.js';

/** A position in the platform-wide order of connections: by node id, then by the client id's sequence. */
export type ConnectionPosition = ClientIdParts;

/** A client id's position (`parseClientId`); null for anything that is not a client id. */
export const positionOf = parseClientId;

export function comparePositions(a: ConnectionPosition, b: ConnectionPosition): number {
  return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.seq - b.seq;
}

export interface NodeConnectionPage {
  /** At most `limit` + 1 rows after the cursor, in order (one more than asked: whether more follow). */
  items: ConnectionSummary[];
  /** Connections of this node matching the filters, the cursor aside. */
  total: number;
}

/**
 * One node's connections matching the query, after `cursor` (a client id) in the platform-wide order.
 * Starts from the narrowest index the filters allow (the client id, the user's or the topic's
 * connections, the app's), so a filtered query reads only its candidates; an unfiltered one is one
 * pass over the node's connections keeping the first `limit + 1` in a heap.
 */
export function findNodeConnections(hub: Hub, q: ConnectionQuery): NodeConnectionPage {
  const after = q.cursor === undefined || q.cursor === '' ? null : positionOf(q.cursor);
  // A cursor past this node: no rows from here, but the total still counts them all.
  const from =
    after === null || after.nodeId < hub.nodeId
      ? -1
      : after.nodeId === hub.nodeId
        ? after.seq
        : Number.POSITIVE_INFINITY;
  const page = new TopN<{ conn: Connection; seq: number }>(q.limit + 1, (c) => -c.seq);
  let total = 0;
  for (const conn of candidates(hub, q)) {
    if (!matches(conn, q)) continue;
    total++;
    const seq = positionOf(conn.id)?.seq ?? 0;
    if (seq > from && page.wouldTake(-seq)) page.push({ conn, seq });
  }
  return { items: page.take().map((c) => summary(c.conn, hub.nodeId)), total };
}

function candidates(hub: Hub, q: ConnectionQuery): Iterable<Connection> {
  if (q.clientId !== undefined) {
    const c = hub.get(q.clientId);
    return c === undefined ? [] : [c];
  }
  const apps = q.appId !== undefined ? [q.appId] : [...hub.appViews()].map((a) => a.appId);
  if (q.topic !== undefined) return each(apps, (a) => hub.subscribersOf(a, q.topic as string));
  if (q.userId !== undefined) return each(apps, (a) => hub.connectionsOf(a, q.userId as string));
  if (q.appId !== undefined) return hub.appConnections(q.appId);
  return hub.all();
}

function* each(apps: string[], of: (appId: string) => Iterable<Connection>): Iterable<Connection> {
  for (const a of apps) yield* of(a);
}

function matches(c: Connection, q: ConnectionQuery): boolean {
  return (
    (q.appId === undefined || c.appId === q.appId) &&
    (q.userId === undefined || c.userId === q.userId) &&
    (q.clientId === undefined || c.id === q.clientId) &&
    (q.topic === undefined || c.topics.has(q.topic))
  );
}

export function summary(c: Connection, nodeId: string): ConnectionSummary {
  return {
    clientId: c.id,
    appId: c.appId,
    userId: c.userId,
    nodeId,
    connectedAt: c.connectedAt,
    remoteAddress: c.remoteAddress,
    topics: c.topics.size,
  };
}

/** A connection's page; null when it is not (or no longer) open on this node. */
export function nodeConnection(hub: Hub, clientId: string): (ConnectionDetails & { appKey: string }) | null {
  const c = hub.get(clientId);
  if (c === undefined) return null;
  const info = c.info ?? c.claims.info;
  return {
    ...summary(c, hub.nodeId),
    appKey: c.appKey,
    topicList: [...c.topics].sort(),
    userAgent: c.userAgent,
    info:
      info !== null && typeof info === 'object' && !Array.isArray(info)
        ? (info as Record<string, unknown>)
        : null,
    messagesIn: c.messagesIn,
    messagesOut: c.messagesOut,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
  };
}

/**
 * Merges nodes' pages (each sorted, each at most limit + 1 long) into the platform's page: the first
 * `limit` in order, and a cursor when more follow.
 */
export function mergeConnectionPages(
  pages: readonly NodeConnectionPage[],
  limit: number,
): { items: ConnectionSummary[]; nextCursor: string | null; total: number } {
  const all = pages.flatMap((p) => p.items);
  all.sort((a, b) =>
    comparePositions(
      positionOf(a.clientId) ?? { nodeId: a.nodeId, seq: 0 },
      positionOf(b.clientId) ?? { nodeId: b.nodeId, seq: 0 },
    ),
  );
  const items = all.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: all.length > limit && last !== undefined ? last.clientId : null,
    total: pages.reduce((n, p) => n + p.total, 0),
  };
}
