import type { cluster } from '@beacon/contracts';
import { fanOut } from './fan-out.js';
import type { Gateway } from './gateway-registry.js';
import type { InterestKind } from './interest-index.js';
import { isValidId, isValidTopicName, validTopics } from './limits.js';
import type { RouterState } from './router-state.js';
import type { TopicHistory } from './topic-history.js';
import type { TopicPresence } from './topic-presence.js';
import { TopicServiceException } from './topic-service.exception.js';

/** What GatewayInput needs of the router's shared state, and the history and presence authorities. */
export type GatewayInputDeps = Pick<
  RouterState,
  'limits' | 'clock' | 'logger' | 'counters' | 'index' | 'admissions' | 'commands' | 'write'
> & { history: TopicHistory; presence: TopicPresence };

/**
 * Everything a registered gateway sends on its Attach stream, checked and applied: interest
 * snapshots and deltas, client publishes, admission requests and slot changes, heartbeats and
 * command results. Throws TopicServiceException for what ends the stream; skips and counts
 * invalid entries otherwise.
 */
export class GatewayInput {
  constructor(private readonly d: GatewayInputDeps) {}

  receive(g: Gateway, msg: cluster.GatewayMessage): void {
    g.lastSeen = this.d.clock.now();
    if (msg.register) {
      throw new TopicServiceException('not_registered', 'register may be sent only once per stream');
    } else if (msg.publish) {
      this.routeClientPublish(g, msg.publish);
    } else if (msg.delta) {
      this.checkInterestSize(msg.delta);
      this.d.counters.rejected.value += this.d.index.apply(g, msg.delta, this.validEntry);
    } else if (msg.acquire) {
      this.acquire(g, msg.acquire);
    } else if (msg.slots) {
      this.changeSlots(g, msg.slots);
    } else if (msg.snapshot) {
      this.checkInterestSize(msg.snapshot);
      this.d.counters.rejected.value += this.d.index.replace(g, msg.snapshot, this.validEntry);
      this.d.counters.rejected.value += this.d.admissions.replace(
        g,
        msg.snapshot.slots ?? [],
        this.validSlot,
      );
      this.d.counters.rejected.value += this.d.presence.snapshot(g, msg.snapshot.members ?? []);
    } else if (msg.heartbeat) {
      if (msg.heartbeat.stats) g.stats = msg.heartbeat.stats;
    } else if (msg.replay) {
      this.replay(g, msg.replay);
    } else if (msg.join) {
      this.d.presence.join(g, msg.join);
    } else if (msg.leaves) {
      this.d.presence.leaves(g, msg.leaves);
    } else if (msg.result) {
      this.d.commands.result(g, Number(msg.result.requestId), Number(msg.result.count) || 0);
    }
  }

  /**
   * A history read for a subscribe, answered on the same stream. Read after every interest change the
   * gateway sent before it, so each message numbered later reaches the gateway live: together with the
   * page, nothing is missed. An invalid request is answered with an empty, unrecovered page.
   */
  private replay(g: Gateway, req: cluster.ReplayRequest): void {
    let page: cluster.ReplayPage;
    try {
      const { appId, topic, limit } = this.d.history.check(req.appId, req.topic, req.limit);
      const { reply, more } = this.d.history.read(appId, topic, req.since, limit);
      page = { requestId: req.requestId, reply, more };
    } catch {
      this.d.counters.rejected.value++;
      page = { requestId: req.requestId, reply: undefined, more: false };
    }
    this.d.write(g, { replayed: page });
  }

  /** A connection slot for one of the app's connections on the gateway, if the app is under its limit. */
  private acquire(g: Gateway, req: cluster.AdmissionRequest): void {
    const limit = Number(req.limit);
    const valid = isValidId(req.appId, this.d.limits.maxIdLength) && Number.isInteger(limit) && limit >= 0;
    if (!valid) this.d.counters.rejected.value++;
    const granted = valid && this.d.admissions.acquire(g, req.appId, limit);
    if (valid && !granted) this.d.counters.admissionRefused.value++;
    this.d.write(g, { admission: { requestId: req.requestId, granted } });
  }

  private changeSlots(g: Gateway, m: cluster.SlotChanges): void {
    const changes = m.changes ?? [];
    if (changes.length > this.d.limits.maxEntriesPerInterest) {
      throw new TopicServiceException(
        'too_large',
        `at most ${this.d.limits.maxEntriesPerInterest} slot changes`,
      );
    }
    for (const c of changes) {
      if (isValidId(c.appId, this.d.limits.maxIdLength) && Number.isInteger(c.delta))
        this.d.admissions.change(g, c.appId, c.delta);
      else this.d.counters.rejected.value++;
    }
  }

  private readonly validSlot = (s: cluster.SlotCount): boolean =>
    isValidId(s.appId, this.d.limits.maxIdLength) && Number.isInteger(s.count) && s.count >= 0;

  private checkInterestSize(i: cluster.Interest): void {
    const n =
      (i.topics?.length ?? 0) + (i.users?.length ?? 0) + (i.slots?.length ?? 0) + (i.members?.length ?? 0);
    if (n > this.d.limits.maxEntriesPerInterest) {
      throw new TopicServiceException(
        'too_large',
        `at most ${this.d.limits.maxEntriesPerInterest} entries per snapshot or delta`,
      );
    }
  }

  private readonly validEntry = (kind: InterestKind, e: cluster.InterestEntry): boolean =>
    isValidId(e.appId, this.d.limits.maxIdLength) &&
    Number.isInteger(e.count) &&
    e.count >= 0 &&
    (kind === 'topics'
      ? isValidTopicName(e.key, this.d.limits)
      : isValidId(e.key, this.d.limits.maxIdLength));

  /**
   * A client publish (one message, one or many topics): the origin already delivered it locally;
   * every other interested gateway gets one message with its topics. Checked like a push-API
   * publish (1-100 valid topics, an id, a payload); an invalid one is dropped whole and counted.
   */
  private routeClientPublish(origin: Gateway, m: cluster.Message): void {
    const named = m.topics !== undefined && m.topics !== null && m.topics.length > 0;
    const topics = validTopics(
      this.d.limits,
      named ? m.topics : m.target?.topic === undefined || m.target.topic === null ? [] : [m.target.topic],
      this.d.limits.maxTopicsPerPublish,
    );
    const valid =
      topics !== null &&
      isValidId(m.appId, this.d.limits.maxIdLength) &&
      typeof m.id === 'string' &&
      m.id.length > 0 &&
      m.id.length <= 128 &&
      m.dataJson !== undefined &&
      m.dataJson !== null &&
      m.dataJson.length > 0;
    const rules = valid ? this.d.history.rules(m.history, topics) : null;
    if (!valid || rules === null) {
      this.d.counters.rejected.value++;
      this.d.logger.debug(`gateway ${origin.nodeId}: invalid publish dropped`);
      return;
    }
    this.d.counters.routed.value += topics.length;
    const body = { appId: m.appId, dataJson: m.dataJson, id: m.id, ts: Number(m.ts) };
    if (rules.size === 0) {
      fanOut(this.d.index, body, topics, origin, this.d.write);
      return;
    }
    // History topics: numbered here, then routed to every interested gateway, the origin included;
    // the origin is told the positions for its client's ack.
    const positions = this.d.history.append(m.appId, rules, body);
    fanOut(this.d.index, body, topics, origin, this.d.write, positions);
    if (m.requestId) {
      this.d.write(origin, { published: { requestId: m.requestId, positions: [...positions.values()] } });
    }
  }
}
