import type { cluster } from '@beacon/contracts';
import type { PresenceMember } from '@beacon/routing';
import { memberToProto } from './convert.js';

/**
 * The presence memberships of this gateway's connections, as the gateway knows them: sent whole in
 * every snapshot (the topic-service rebuilds or reconciles its table from it), and the leaves not yet
 * sent, coalesced until the stream takes them.
 */
export class LocalMembers {
  private readonly members = new Map<string, cluster.PresenceEntry>();
  private readonly leaves = new Map<string, cluster.PresenceLeave>();

  add(appId: string, topic: string, member: PresenceMember): void {
    const k = key(appId, topic, member.clientId);
    this.leaves.delete(k);
    this.members.set(k, { appId, topic, member: memberToProto(member) });
  }

  /** Forgets a membership the topic-service refused (nothing to tell it). */
  forget(appId: string, topic: string, clientId: string): void {
    this.members.delete(key(appId, topic, clientId));
  }

  /** Removes a membership and holds its leave for the next flush; false when it was not one. */
  remove(appId: string, topic: string, clientId: string): boolean {
    const k = key(appId, topic, clientId);
    if (!this.members.delete(k)) return false;
    this.leaves.set(k, { appId, topic, clientId });
    return true;
  }

  get hasLeaves(): boolean {
    return this.leaves.size > 0;
  }

  takeLeaves(): cluster.PresenceLeave[] {
    const out = [...this.leaves.values()];
    this.leaves.clear();
    return out;
  }

  /** Every membership, for a snapshot; it supersedes the leaves not yet sent. */
  snapshot(): cluster.PresenceEntry[] {
    this.leaves.clear();
    return [...this.members.values()];
  }

  get size(): number {
    return this.members.size;
  }
}

function key(appId: string, topic: string, clientId: string): string {
  return `${appId}\u0000${topic}\u0000${clientId}`;
}
