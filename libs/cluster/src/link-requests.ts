import type { cluster } from '@beacon/contracts';
import type { HistoryRead, JoinResult, PresenceMember, StoredMessage, StreamPosition } from '@beacon/routing';
import { historyFromProto, memberToProto } from './convert.js';
import { ClusterUnavailable, type LinkStream } from './link-stream.js';
import type { LocalMembers } from './local-members.js';
import type { PendingRequests } from './pending-requests.js';

/**
 * What a gateway asks the topic-service on its Attach stream and waits for: a subscribe's history
 * read, a presence join (and the leaves, coalesced). Each goes behind the interest changes and leaves
 * not yet sent, so the topic-service sees them in the order the gateway made them. While detached they
 * are refused (`ClusterUnavailable`).
 */
export class StreamRequests {
  constructor(
    private readonly stream: LinkStream,
    private readonly replays: PendingRequests<cluster.ReplayPage>,
    private readonly joins: PendingRequests<string>,
    private readonly members: LocalMembers,
  ) {}

  /**
   * A subscribe's history read (replay after `since`, or only the position), asked on the stream right
   * behind the interest changes not yet sent, so it is read after the topic-service routes this topic
   * here: every later message arrives live. Pages (bounded in bytes) are read until complete.
   */
  async history(
    appId: string,
    topic: string,
    opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead> {
    this.requireAttached('history');
    this.stream.flushPending();
    const messages: StoredMessage[] = [];
    let since = opts.since;
    let recovered = true;
    for (;;) {
      const limit = opts.limit - messages.length;
      const page = await this.stream.request(this.replays, (requestId) => ({
        replay: { requestId, appId, topic, limit, ...(since !== undefined && { since }) },
      }));
      const read = historyFromProto(page.reply);
      messages.push(...read.messages);
      recovered &&= read.recovered;
      if (!page.more || since === undefined || messages.length >= opts.limit || read.messages.length === 0)
        return { messages, position: read.position, recovered: recovered && !page.more };
      since = read.position;
    }
  }

  /** Joins on the stream (behind any leave not yet sent); the membership is in every snapshot meanwhile. */
  async presenceJoin(
    appId: string,
    topic: string,
    member: PresenceMember,
    _nodeId: string,
    limit: number,
  ): Promise<JoinResult> {
    this.requireAttached('presence');
    this.stream.flushPending();
    this.members.add(appId, topic, member);
    let result: string;
    try {
      result = await this.stream.request(this.joins, (requestId) => ({
        join: { requestId, appId, topic, member: memberToProto(member), limit },
      }));
    } catch (err) {
      // The topic-service may have taken it: a leave (or the next snapshot) undoes it.
      if (this.members.remove(appId, topic, member.clientId)) this.stream.scheduleFlush();
      throw err;
    }
    if (result !== 'joined' && result !== 'present') {
      this.members.forget(appId, topic, member.clientId);
      return 'full';
    }
    return result;
  }

  presenceLeave(appId: string, topic: string, clientId: string): void {
    if (this.members.remove(appId, topic, clientId)) this.stream.scheduleFlush();
  }

  private requireAttached(what: string): void {
    if (!this.stream.attached)
      throw new ClusterUnavailable(`${what} needs the topic-service, which is unreachable`);
  }
}
