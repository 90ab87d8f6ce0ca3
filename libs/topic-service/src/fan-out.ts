import type { cluster } from '@beacon/contracts';
import type { InterestIndex } from './interest-index.js';

/** What every message of one publish shares. */
export interface PublishBody {
  appId: string;
  dataJson: Buffer;
  id: string;
  ts: number;
}

/** Topic → its place in its history stream, for the publish's history topics (TopicHistory.append). */
export type Positions = ReadonlyMap<string, cluster.TopicPosition>;

const NO_POSITIONS: cluster.TopicPosition[] = [];

/**
 * Routes one publish: every gateway with interest in at least one of its topics gets ONE message naming
 * the topics it has subscribers for. `origin` (a client publish's gateway) delivered its topics already
 * and gets nothing, except for history topics (those in `positions`): they are numbered here, so they
 * reach every interested gateway, the origin included, in offset order, with their positions. A single
 * topic keeps the `target.topic` form, and one message object is shared by all its gateways.
 * Returns the number of messages handed to `write`.
 */
export function fanOut<G>(
  index: InterestIndex<G>,
  body: PublishBody,
  topics: readonly string[],
  origin: G | undefined,
  write: (g: G, m: cluster.RouterMessage) => unknown,
  positions?: Positions,
): number {
  if (topics.length === 1) {
    const topic = topics[0] as string;
    const gateways = index.topicGateways(body.appId, topic);
    if (gateways === undefined) return 0;
    const pos = positions?.get(topic);
    const skip = pos === undefined ? origin : undefined;
    const out: cluster.RouterMessage = {
      message: single(body, topic, pos === undefined ? NO_POSITIONS : [pos]),
    };
    let n = 0;
    // A write may drop a slow gateway, which deletes it from this map: Map iteration allows that.
    for (const g of gateways.keys()) {
      if (g === skip) continue;
      write(g, out);
      n++;
    }
    return n;
  }
  const perGateway = new Map<G, string[]>();
  for (const topic of topics) {
    const gateways = index.topicGateways(body.appId, topic);
    if (gateways === undefined) continue;
    const skip = positions?.has(topic) === true ? undefined : origin;
    for (const g of gateways.keys()) {
      if (g === skip) continue;
      const list = perGateway.get(g);
      if (list === undefined) perGateway.set(g, [topic]);
      else list.push(topic);
    }
  }
  for (const [g, list] of perGateway) {
    const pos = positions === undefined || positions.size === 0 ? NO_POSITIONS : positionsOf(positions, list);
    const message: cluster.Message =
      list.length === 1
        ? single(body, list[0] as string, pos)
        : { ...body, target: undefined, topics: list, positions: pos, requestId: 0, history: [] };
    write(g, { message });
  }
  return perGateway.size;
}

function positionsOf(positions: Positions, topics: readonly string[]): cluster.TopicPosition[] {
  const out: cluster.TopicPosition[] = [];
  for (const t of topics) {
    const p = positions.get(t);
    if (p !== undefined) out.push(p);
  }
  return out;
}

function single(body: PublishBody, topic: string, positions: cluster.TopicPosition[]): cluster.Message {
  return {
    appId: body.appId,
    target: { topic },
    topic,
    dataJson: body.dataJson,
    id: body.id,
    ts: body.ts,
    topics: [],
    positions,
    requestId: 0,
    history: [],
  };
}
