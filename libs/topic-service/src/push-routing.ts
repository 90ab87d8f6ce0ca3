import type { cluster } from '@beacon/contracts';
import { fanOut } from './fan-out.js';
import type { Gateway } from './gateway-registry.js';
import { isValidTopicName, requireValid } from './limits.js';
import type { RouterState } from './router-state.js';
import type { TopicHistory } from './topic-history.js';

const invalid = requireValid.invalid;

/**
 * The push API's operations: publishes routed to exactly the interested gateways, and Send /
 * Disconnect as commands whose results are summed (CommandTracker, with its deadline).
 */
export class PushRouting {
  constructor(
    private readonly s: RouterState,
    private readonly history: TopicHistory,
    private readonly nextId: () => string,
  ) {}

  publish(req: cluster.PublishRequest): cluster.PublishReply {
    const appId = requireValid.appId(this.s.limits, req.appId);
    const topics = requireValid.topics(this.s.limits, req.topics, this.s.limits.maxTopicsPerPublish);
    if (topics.length === 0) throw invalid('topics: at least one topic');
    const dataJson = requireValid.data(req.dataJson);
    const rules = this.history.rules(req.history, topics);
    if (rules === null)
      throw invalid('history: a rule per history topic of the publish, size 1-10000, ttl_ms 1-604800000');
    const id = this.nextId();
    const ts = this.s.clock.now();
    this.s.counters.routed.value += topics.length;
    const body = { appId, dataJson, id, ts };
    if (rules.size === 0) {
      fanOut(this.s.index, body, topics, undefined, this.s.write);
      return { id, ts, positions: [] };
    }
    // Numbered, then routed, in one synchronous step: every gateway gets them in offset order.
    const positions = this.history.append(appId, rules, body);
    fanOut(this.s.index, body, topics, undefined, this.s.write, positions);
    return { id, ts, positions: [...positions.values()] };
  }

  async send(req: cluster.SendRequest): Promise<cluster.SendReply> {
    const { limits, index, registry } = this.s;
    const appId = requireValid.appId(limits, req.appId);
    const t = req.target ?? undefined;
    const label = req.topic === undefined || req.topic === null || req.topic === '' ? undefined : req.topic;
    if (label !== undefined && !isValidTopicName(label, limits)) throw invalid('topic: invalid topic');
    const dataJson = requireValid.data(req.dataJson);
    let target: cluster.Target;
    let gateways: Iterable<Gateway>;
    if (t?.userId !== undefined && t.userId !== null) {
      target = { userId: requireValid.userId(limits, t.userId) };
      gateways = index.userGateways(appId, target.userId as string)?.keys() ?? [];
    } else if (t?.clientId !== undefined && t.clientId !== null) {
      target = { clientId: t.clientId };
      gateways = this.clientGateway(t.clientId);
    } else if (t?.topic !== undefined && t.topic !== null) {
      if (!isValidTopicName(t.topic, limits)) throw invalid('target.topic: invalid topic');
      target = { topic: t.topic };
      gateways = index.topicGateways(appId, t.topic)?.keys() ?? [];
    } else if (t?.broadcast === true) {
      target = { broadcast: true };
      gateways = [...registry.all()];
    } else {
      throw invalid('target: one of topic, user_id, client_id or broadcast=true');
    }
    const id = this.nextId();
    const ts = this.s.clock.now();
    this.s.counters.routed.value++;
    const message: cluster.Message = {
      appId,
      target,
      topic: label ?? target.topic,
      dataJson,
      id,
      ts,
      topics: [],
      positions: [],
      requestId: 0,
      history: [],
    };
    const delivered = await this.s.commands.dispatch(
      gateways,
      (requestId): cluster.RouterMessage => ({ command: { requestId, send: message } }),
      this.s.write,
    );
    return { id, ts, delivered };
  }

  async disconnect(req: cluster.DisconnectRequest): Promise<cluster.DisconnectReply> {
    const appId = requireValid.appId(this.s.limits, req.appId);
    let command: cluster.DisconnectRequest;
    let gateways: Iterable<Gateway>;
    if (req.clientId !== undefined && req.clientId !== null) {
      command = { appId, clientId: req.clientId };
      gateways = this.clientGateway(req.clientId);
    } else if (req.userId !== undefined && req.userId !== null) {
      command = { appId, userId: requireValid.userId(this.s.limits, req.userId) };
      gateways = this.s.index.userGateways(appId, req.userId)?.keys() ?? [];
    } else {
      throw invalid('who: one of client_id or user_id');
    }
    const disconnected = await this.s.commands.dispatch(
      gateways,
      (requestId): cluster.RouterMessage => ({ command: { requestId, disconnect: command } }),
      this.s.write,
    );
    return { disconnected };
  }

  private clientGateway(clientId: unknown): Gateway[] {
    const g = this.s.registry.get(requireValid.clientNode(clientId));
    return g === undefined ? [] : [g];
  }
}
