import type { cluster } from '@beacon/contracts';
import { nodeOfClient, PresenceTable, type PresenceChange } from '@beacon/routing';
import type { RemovalReason } from './attach-sessions.js';
import type { Gateway } from './gateway-registry.js';
import { isValidId, isValidTopicName } from './limits.js';
import type { RouterState } from './router-state.js';
import { TopicServiceException } from './topic-service.exception.js';

/** A member as the topic-service keeps it: the token's info stays the gateway's JSON text. */
export interface WireMember {
  clientId: string;
  userId: string | null;
  infoJson: string;
}

/** Longest `info_json` accepted (gateways refuse a claim above 1 KiB serialised). */
const MAX_INFO_JSON = 4096;
/** Node ids remembered as seen in this lifetime (oldest forgotten first). */
const MAX_SEEN_NODES = 100_000;

/**
 * Presence, cluster-wide: one table of every gateway's members, fed by `join`/`leaves` on the Attach
 * streams and rebuilt from snapshots. Join and leave events go to every gateway with subscribers of
 * the topic (they write them to the local subscribers that asked). The member limit is checked here,
 * over all gateways.
 *
 * Without false events:
 * - a gateway's first snapshot in this topic-service's lifetime (after a restart) fills the table
 *   silently: the members were there all along;
 * - a gateway whose stream ended (not expired) keeps its members for the liveness timeout: a quick
 *   re-attach reconciles its snapshot, and only real differences become events; past the timeout its
 *   members leave, with events;
 * - a gateway removed by the liveness timeout leaves at once, with events.
 */
export class TopicPresence {
  private readonly table = new PresenceTable<WireMember>();
  /** Gateways seen in this lifetime, in order of first registration. */
  private readonly seen = new Set<string>();
  /** Registered and not yet snapshotted, and never registered before in this lifetime. */
  private readonly fresh = new Set<string>();
  /** Node id → when the members of a gateway whose stream ended leave, unless it re-attaches. */
  private readonly orphans = new Map<string, number>();

  constructor(private readonly s: RouterState) {}

  registered(g: Gateway): void {
    this.orphans.delete(g.nodeId);
    if (!this.seen.delete(g.nodeId)) this.fresh.add(g.nodeId);
    this.seen.add(g.nodeId);
    if (this.seen.size > MAX_SEEN_NODES) this.seen.delete(this.seen.values().next().value as string);
  }

  removed(g: Gateway, reason: RemovalReason): void {
    if (reason === 'replaced' || !this.table.holds(g.nodeId)) return; // the new stream snapshots
    if (reason === 'expired' || reason === 'shutdown') {
      this.emit(this.table.dropNode(g.nodeId), reason === 'shutdown');
      return;
    }
    this.orphans.set(g.nodeId, this.s.clock.now() + this.s.options.livenessTimeoutMs);
  }

  /** Members of gateways that did not come back in time leave now (run with the liveness sweep). */
  sweep(): void {
    const now = this.s.clock.now();
    for (const [nodeId, at] of this.orphans) {
      if (at > now || this.s.registry.get(nodeId) !== undefined) continue;
      this.orphans.delete(nodeId);
      this.emit(this.table.dropNode(nodeId));
    }
  }

  /** A gateway's join; answered with the result, told to the topic's gateways when it joined. */
  join(g: Gateway, req: cluster.PresenceJoin): void {
    const member = this.member(g, req.member);
    const valid = member !== null && this.validKey(req.appId, req.topic) && Number.isInteger(req.limit);
    let result = 'full';
    if (!valid) this.s.counters.rejected.value++;
    else {
      result = this.table.join(req.appId, req.topic, member, g.nodeId, req.limit);
      if (result === 'joined') this.emit([{ appId: req.appId, topic: req.topic, member, kind: 'join' }]);
    }
    this.s.write(g, { joined: { requestId: req.requestId, result } });
  }

  leaves(g: Gateway, m: cluster.PresenceLeaves): void {
    const leaves = m.leaves ?? [];
    this.checkCount(leaves.length);
    const out: Array<PresenceChange<WireMember>> = [];
    for (const l of leaves) {
      // Only the gateway holding a client can make it leave.
      if (!this.validKey(l.appId, l.topic) || nodeOfClient(String(l.clientId)) !== g.nodeId) {
        this.s.counters.rejected.value++;
        continue;
      }
      const member = this.table.leave(l.appId, l.topic, l.clientId);
      if (member !== null) out.push({ appId: l.appId, topic: l.topic, member, kind: 'leave' });
    }
    this.emit(out);
  }

  /**
   * A snapshot's members replace the gateway's. Silent for a gateway not seen before in this lifetime
   * (its members were there before the restart); otherwise only what changed becomes events.
   */
  snapshot(g: Gateway, entries: readonly cluster.PresenceEntry[]): number {
    this.checkCount(entries.length);
    const silent = this.fresh.delete(g.nodeId);
    const wanted = new Map<string, { appId: string; topic: string; member: WireMember }>();
    let rejected = 0;
    for (const e of entries) {
      const member = this.member(g, e.member);
      if (member === null || !this.validKey(e.appId, e.topic)) rejected++;
      else
        wanted.set(`${e.appId}\u0000${e.topic}\u0000${member.clientId}`, {
          appId: e.appId,
          topic: e.topic,
          member,
        });
    }
    const changes: Array<PresenceChange<WireMember>> = [];
    for (const k of this.table.nodeKeys(g.nodeId)) {
      if (wanted.delete(`${k.appId}\u0000${k.topic}\u0000${k.clientId}`)) continue; // still a member
      const member = this.table.leave(k.appId, k.topic, k.clientId);
      if (member !== null) changes.push({ appId: k.appId, topic: k.topic, member, kind: 'leave' });
    }
    for (const { appId, topic, member } of wanted.values()) {
      // Already members: the limit was checked when they joined.
      if (this.table.join(appId, topic, member, g.nodeId, Infinity) === 'joined')
        changes.push({ appId, topic, member, kind: 'join' });
    }
    if (!silent) this.emit(changes);
    return rejected;
  }

  members(appId: string, topic: string, limit: number): cluster.PresenceMember[] {
    return this.table.members(appId, topic, limit).map(toProto);
  }

  stats(appId: string, topic: string): cluster.TopicPresenceStatsReply {
    return this.table.stats(appId, topic);
  }

  size(): number {
    return this.table.size();
  }

  private emit(changes: ReadonlyArray<PresenceChange<WireMember>>, quiet = false): void {
    if (quiet) return;
    for (const c of changes) {
      const gateways = this.s.index.topicGateways(c.appId, c.topic);
      if (gateways === undefined) continue;
      const out: cluster.RouterMessage = {
        presence: { appId: c.appId, topic: c.topic, kind: c.kind, member: toProto(c.member) },
      };
      for (const g of gateways.keys()) this.s.write(g, out);
    }
  }

  private member(g: Gateway, m: cluster.PresenceMember | undefined | null): WireMember | null {
    if (m === undefined || m === null || nodeOfClient(String(m.clientId)) !== g.nodeId) return null;
    const userId = m.userId === undefined || m.userId === null || m.userId === '' ? null : m.userId;
    if (userId !== null && !isValidId(userId, this.s.limits.maxIdLength)) return null;
    const infoJson = typeof m.infoJson === 'string' ? m.infoJson : '';
    if (infoJson.length > MAX_INFO_JSON) return null;
    return { clientId: m.clientId, userId, infoJson };
  }

  private validKey(appId: unknown, topic: unknown): boolean {
    return isValidId(appId, this.s.limits.maxIdLength) && isValidTopicName(topic, this.s.limits);
  }

  private checkCount(n: number): void {
    if (n > this.s.limits.maxEntriesPerInterest) {
      throw new TopicServiceException('too_large', `at most ${this.s.limits.maxEntriesPerInterest} entries`);
    }
  }
}

function toProto(m: WireMember): cluster.PresenceMember {
  return m.userId === null
    ? { clientId: m.clientId, infoJson: m.infoJson }
    : { clientId: m.clientId, userId: m.userId, infoJson: m.infoJson };
}
