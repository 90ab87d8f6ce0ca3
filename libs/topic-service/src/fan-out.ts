import type { cluster } from '@beacon/contracts';
import type { InterestIndex } from './interest-index.js';

/** What every message of one publish shares. */
export interface PublishBody {
  appId: string;
  dataJson: Buffer;
  id: string;
  ts: number;
}

/**
 * Routes one publish: every gateway with interest in at least one of its topics (except `origin`,
 * which delivered it already) gets ONE message naming the topics it has subscribers for. A single
 * topic keeps the `target.topic` form, and one message object is shared by all its gateways.
 * Returns the number of messages handed to `write`.
 */
export function fanOut<G>(
  index: InterestIndex<G>,
  body: PublishBody,
  topics: readonly string[],
  origin: G | undefined,
  write: (g: G, m: cluster.RouterMessage) => unknown,
): number {
  if (topics.length === 1) {
    const topic = topics[0] as string;
    const gateways = index.topicGateways(body.appId, topic);
    if (gateways === undefined) return 0;
    const out: cluster.RouterMessage = { message: single(body, topic) };
    let n = 0;
    // A write may drop a slow gateway, which deletes it from this map: Map iteration allows that.
    for (const g of gateways.keys()) {
      if (g === origin) continue;
      write(g, out);
      n++;
    }
    return n;
  }
  const perGateway = new Map<G, string[]>();
  for (const topic of topics) {
    const gateways = index.topicGateways(body.appId, topic);
    if (gateways === undefined) continue;
    for (const g of gateways.keys()) {
      if (g === origin) continue;
      const list = perGateway.get(g);
      if (list === undefined) perGateway.set(g, [topic]);
      else list.push(topic);
    }
  }
  for (const [g, list] of perGateway) {
    const message: cluster.Message =
      list.length === 1 ? single(body, list[0] as string) : { ...body, target: undefined, topics: list };
    write(g, { message });
  }
  return perGateway.size;
}

function single(body: PublishBody, topic: string): cluster.Message {
  return {
    appId: body.appId,
    target: { topic },
    topic,
    dataJson: body.dataJson,
    id: body.id,
    ts: body.ts,
    topics: [],
  };
}
