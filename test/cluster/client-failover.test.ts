import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Beacon, type DisconnectInfo, type SubscribedInfo } from '@beacon/client';
import { signToken } from '../support/beacon.js';
import { TcpBalancer } from '../support/balancer.js';
import { TestCluster } from '../support/cluster.js';
import { publishAtRate } from '../support/publisher.js';
import { waitUntil } from '../support/wait.js';

// Issue 9 in the cluster: @beacon/client (with `ws`) against real processes (topic-service, two gateways,
// push-api) while a history topic receives 200 messages/s, and one gateway is killed with kill -9. Clients
// find the other gateway the two ways deployments do it: through a load balancer in front of the gateways,
// or with the SDK's list of gateway URLs. The topic-service keeps the history, so nothing may be missed.

const TOPIC = 'h.failover';
let c: TestCluster;
let app: { id: string; key: string; secret: string; tokenKey: string };
let lb: TcpBalancer;
const clients: Beacon[] = [];

beforeAll(async () => {
  c = await TestCluster.start({ gateways: 2 });
  app = await c.createApp('failover', { history: [{ pattern: 'h.*', size: 10_000, ttlSec: 600 }] });
  lb = await TcpBalancer.start([0, 1].map((i) => ({ host: '127.0.0.1', port: gatewayPort(i) })));
}, 90_000);
afterAll(async () => {
  for (const client of clients) client.close();
  await lb?.close();
  await c?.stop();
});

function gatewayPort(i: number): number {
  return Number(new URL(c.gatewayUrl(i)).port);
}

/** Publishes {seq} through the push API and returns the offset the topic gave it. */
async function publish(seq: number): Promise<number> {
  const res = await fetch(`${c.pushUrl}/v1/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ topic: TOPIC, data: { seq } }),
  });
  const body = (await res.json()) as { positions?: Record<string, { offset: number }> };
  if (res.status !== 200) throw new Error(`publish ${seq}: ${res.status} ${JSON.stringify(body)}`);
  return body.positions![TOPIC]!.offset;
}

/** An SDK client subscribed to TOPIC, recording what it sees. */
function subscriber(name: string, url: string | string[]) {
  const beacon = new Beacon({
    url,
    app: app.key,
    WebSocket,
    getToken: () => signToken(app.tokenKey, { sub: name }),
    reconnect: { minDelayMs: 100, maxDelayMs: 1_000 },
  });
  clients.push(beacon);
  const s = {
    name,
    beacon,
    offsets: [] as number[],
    seqs: [] as number[],
    acks: [] as SubscribedInfo[],
    disconnects: [] as DisconnectInfo[],
    /** The gateway (0 or 1) of each connection, in order. */
    nodes: [] as number[],
  };
  beacon.on('connected', (info) => s.nodes.push(info.node === c.gatewayNodeId(0) ? 0 : 1));
  beacon.on('disconnected', (d) => s.disconnects.push(d));
  beacon.subscribe(TOPIC, {
    message: (m) => {
      s.offsets.push(m.offset!);
      s.seqs.push((m.data as { seq: number }).seq);
    },
    subscribed: (i) => s.acks.push(i),
  });
  return s;
}

describe('@beacon/client across a gateway crash', () => {
  it('kill -9 of a gateway at 200 msg/s: its clients reconnect to the other one and get every message once, in order', async () => {
    // Ten clients through the balancer (round-robin: five on each gateway), ten given both gateways' URLs
    // (the SDK takes the first, so all ten on gateway 0, and the next one after a close).
    const viaLb = Array.from({ length: 10 }, (_, i) => subscriber(`lb${i}`, `ws://${lb.address}/ws`));
    const gatewayUrls = [0, 1].map((i) => `${c.gatewayUrl(i).replace('http', 'ws')}/ws`);
    const viaList = Array.from({ length: 10 }, (_, i) => subscriber(`list${i}`, gatewayUrls));
    const all = [...viaLb, ...viaList];
    await waitUntil(
      () => all.every((s) => s.acks.length === 1),
      10_000,
      () => 'not all subscribed',
    );
    expect(viaLb.map((s) => s.nodes[0]).sort()).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(viaList.every((s) => s.nodes[0] === 0)).toBe(true);

    // Every client is subscribed before the first publish: each must see the whole stream.
    const offsetOf: number[] = [];
    const pub = publishAtRate(200, async (seq) => void (offsetOf[seq] = await publish(seq)), {
      maxMs: 30_000,
    });
    try {
      await waitUntil(
        () => all.every((s) => s.seqs.length > 100),
        10_000,
        () => 'messages not flowing',
      );
      const killedAt = pub.sent;
      await c.gateways[0]!.kill9();
      const moved = all.filter((s) => s.nodes[0] === 0);
      const stayed = all.filter((s) => s.nodes[0] === 1);
      expect([moved.length, stayed.length]).toEqual([15, 5]);
      await waitUntil(
        () => moved.every((s) => s.acks.some((a) => a.resubscribed)),
        15_000,
        () => 'not every client of the killed gateway resubscribed',
      );
      // Well past the crash: messages published during and after the move reached everyone.
      await waitUntil(() => all.every((s) => (s.seqs.at(-1) ?? 0) > killedAt + 600), 15_000);
      pub.stop();
      await pub.done;
      const lastSeq = pub.sent - 1;
      const lastOffset = offsetOf[lastSeq]!;
      await waitUntil(
        () => all.every((s) => s.offsets.at(-1) === lastOffset),
        5_000,
        () => `not every client got offset ${lastOffset}`,
      );

      const stream = offsetOf.slice(0, lastSeq + 1);
      expect(stream).toEqual(Array.from({ length: lastSeq + 1 }, (_, i) => (stream[0] ?? 0) + i));
      const seqs = Array.from({ length: lastSeq + 1 }, (_, i) => i);
      for (const s of all) {
        expect(s.beacon.state).toBe('connected');
        expect(s.offsets, s.name).toEqual(stream); // every message, exactly once, in offset order
        expect(s.seqs, s.name).toEqual(seqs);
      }
      for (const s of moved) {
        expect(s.disconnects.map((d) => d.code)[0], s.name).toBe(1006);
        expect(s.nodes.at(-1), s.name).toBe(1);
        const again = s.acks.filter((a) => a.resubscribed);
        expect(again.length, s.name).toBeGreaterThanOrEqual(1);
        expect(
          again.every((a) => a.recovered === true),
          s.name,
        ).toBe(true);
      }
      for (const s of stayed) {
        expect(s.disconnects, s.name).toEqual([]);
        expect(s.nodes, s.name).toEqual([1]);
      }
      // The balancer met the dead gateway and moved on (or never tried it again): no connection failed.
      expect(lb.failed).toBe(0);
    } finally {
      pub.stop();
      await pub.done.catch(() => undefined);
    }
  });
});
