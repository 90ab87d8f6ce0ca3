/**
 * Presence: who is in a topic, per app, for the topics an app turned presence on for. One table per
 * authority: the LocalRouter in one process, the topic-service in a cluster (members of every gateway).
 * A member is one connection; `users` counts distinct user ids.
 */
export interface PresenceMember {
  clientId: string;
  userId: string | null;
  /** The token's `info` claim (a JSON object of at most 1 KiB), or null. */
  info: Record<string, unknown> | null;
}

export interface PresenceStats {
  clients: number;
  users: number;
}

export interface PresenceChange<M extends MemberKey = PresenceMember> {
  appId: string;
  topic: string;
  member: M;
  kind: 'join' | 'leave';
}

/** What the table needs of a member: its connection and its user. */
export interface MemberKey {
  clientId: string;
  userId: string | null;
}

interface TopicMembers<M> {
  members: Map<string, { member: M; nodeId: string }>;
  users: Map<string, number>;
}

/** Default most members a presence topic may have (the app's `presenceMaxMembers`). */
export const DEFAULT_PRESENCE_MAX_MEMBERS = 1000;

/**
 * Members per (app, topic), each held by a node. Generic over the member's shape: the single process
 * keeps `info` as an object, the topic-service as the JSON text it forwards unparsed.
 */
export class PresenceTable<M extends MemberKey = PresenceMember> {
  private readonly topics = new Map<string, TopicMembers<M>>();
  /** nodeId → its members' keys, to drop a node's memberships without a scan. */
  private readonly byNode = new Map<string, Set<string>>();
  private count = 0;

  /**
   * Adds a member unless the topic already has `limit` members. Returns 'joined', 'present' (already a
   * member: nothing changes) or 'full'.
   */
  join(
    appId: string,
    topic: string,
    member: M,
    nodeId: string,
    limit: number,
  ): 'joined' | 'present' | 'full' {
    const key = topicKey(appId, topic);
    let t = this.topics.get(key);
    if (t?.members.has(member.clientId) === true) return 'present';
    if ((t?.members.size ?? 0) >= limit) return 'full';
    if (t === undefined) {
      t = { members: new Map(), users: new Map() };
      this.topics.set(key, t);
    }
    t.members.set(member.clientId, { member, nodeId });
    this.count++;
    if (member.userId !== null) t.users.set(member.userId, (t.users.get(member.userId) ?? 0) + 1);
    let keys = this.byNode.get(nodeId);
    if (keys === undefined) this.byNode.set(nodeId, (keys = new Set()));
    keys.add(memberKey(appId, topic, member.clientId));
    return 'joined';
  }

  /** Removes a member; returns it, or null when it was not one. */
  leave(appId: string, topic: string, clientId: string): M | null {
    const key = topicKey(appId, topic);
    const t = this.topics.get(key);
    const held = t?.members.get(clientId);
    if (t === undefined || held === undefined) return null;
    const m = held.member;
    t.members.delete(clientId);
    this.count--;
    if (m.userId !== null) {
      const n = (t.users.get(m.userId) ?? 1) - 1;
      if (n === 0) t.users.delete(m.userId);
      else t.users.set(m.userId, n);
    }
    if (t.members.size === 0) this.topics.delete(key);
    const keys = this.byNode.get(held.nodeId);
    keys?.delete(memberKey(appId, topic, clientId));
    if (keys?.size === 0) this.byNode.delete(held.nodeId);
    return m;
  }

  /** Removes every member a node holds (the node died or detached); returns the leaves. */
  dropNode(nodeId: string): Array<PresenceChange<M>> {
    const out: Array<PresenceChange<M>> = [];
    for (const { appId, topic, clientId } of this.nodeKeys(nodeId)) {
      const member = this.leave(appId, topic, clientId);
      if (member !== null) out.push({ appId, topic, member, kind: 'leave' });
    }
    return out;
  }

  /** The (app, topic, client) keys of every member a node holds (a copy: safe to leave while iterating). */
  nodeKeys(nodeId: string): Array<{ appId: string; topic: string; clientId: string }> {
    const keys = this.byNode.get(nodeId);
    if (keys === undefined) return [];
    return [...keys].map((k) => {
      const [appId, topic, clientId] = k.split('\u0000') as [string, string, string];
      return { appId, topic, clientId };
    });
  }

  /** True when the node holds at least one member. */
  holds(nodeId: string): boolean {
    return this.byNode.has(nodeId);
  }

  has(appId: string, topic: string, clientId: string): boolean {
    return this.topics.get(topicKey(appId, topic))?.members.has(clientId) === true;
  }

  members(appId: string, topic: string, limit = Infinity): M[] {
    const t = this.topics.get(topicKey(appId, topic));
    if (t === undefined) return [];
    const out: M[] = [];
    for (const { member } of t.members.values()) {
      if (out.length >= limit) break;
      out.push(member);
    }
    return out;
  }

  stats(appId: string, topic: string): PresenceStats {
    const t = this.topics.get(topicKey(appId, topic));
    return { clients: t?.members.size ?? 0, users: t?.users.size ?? 0 };
  }

  /** Members over every topic and node: the table's size, for metrics. */
  size(): number {
    return this.count;
  }
}

function topicKey(appId: string, topic: string): string {
  return `${appId}\u0000${topic}`;
}

function memberKey(appId: string, topic: string, clientId: string): string {
  return `${appId}\u0000${topic}\u0000${clientId}`;
}
