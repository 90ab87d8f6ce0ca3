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

export interface PresenceChange {
  appId: string;
  topic: string;
  member: PresenceMember;
  kind: 'join' | 'leave';
}

interface TopicMembers {
  members: Map<string, PresenceMember & { nodeId: string }>;
  users: Map<string, number>;
}

/** Default most members a presence topic may have (the app's `presenceMaxMembers`). */
export const DEFAULT_PRESENCE_MAX_MEMBERS = 1000;

export class PresenceTable {
  private readonly topics = new Map<string, TopicMembers>();
  /** clientId → its topics' keys, to drop a node's or a client's memberships without a scan. */
  private readonly byNode = new Map<string, Set<string>>();
  private count = 0;

  /**
   * Adds a member unless the topic already has `limit` members. Returns 'joined', 'present' (already a
   * member: nothing changes) or 'full'.
   */
  join(
    appId: string,
    topic: string,
    member: PresenceMember,
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
    t.members.set(member.clientId, { ...member, nodeId });
    this.count++;
    if (member.userId !== null) t.users.set(member.userId, (t.users.get(member.userId) ?? 0) + 1);
    let keys = this.byNode.get(nodeId);
    if (keys === undefined) this.byNode.set(nodeId, (keys = new Set()));
    keys.add(`${key}\u0000${member.clientId}`);
    return 'joined';
  }

  /** Removes a member; returns it, or null when it was not one. */
  leave(appId: string, topic: string, clientId: string): PresenceMember | null {
    const key = topicKey(appId, topic);
    const t = this.topics.get(key);
    const m = t?.members.get(clientId);
    if (t === undefined || m === undefined) return null;
    t.members.delete(clientId);
    this.count--;
    if (m.userId !== null) {
      const n = (t.users.get(m.userId) ?? 1) - 1;
      if (n === 0) t.users.delete(m.userId);
      else t.users.set(m.userId, n);
    }
    if (t.members.size === 0) this.topics.delete(key);
    this.byNode.get(m.nodeId)?.delete(`${key}\u0000${clientId}`);
    return { clientId: m.clientId, userId: m.userId, info: m.info };
  }

  /** Removes every member a node holds (the node died or detached); returns the leaves. */
  dropNode(nodeId: string): PresenceChange[] {
    const keys = this.byNode.get(nodeId);
    if (keys === undefined) return [];
    this.byNode.delete(nodeId);
    const out: PresenceChange[] = [];
    for (const k of keys) {
      const [appId, topic, clientId] = k.split('\u0000') as [string, string, string];
      const member = this.leave(appId, topic, clientId);
      if (member !== null) out.push({ appId, topic, member, kind: 'leave' });
    }
    return out;
  }

  members(appId: string, topic: string, limit = Infinity): PresenceMember[] {
    const t = this.topics.get(topicKey(appId, topic));
    if (t === undefined) return [];
    const out: PresenceMember[] = [];
    for (const m of t.members.values()) {
      if (out.length >= limit) break;
      out.push({ clientId: m.clientId, userId: m.userId, info: m.info });
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
