import { describe, expect, it } from 'vitest';
import type { cluster } from '@beacon/contracts';
import { ManualClock } from './clock.js';
import { attachGateway } from './test/fake-link.js';
import { TopicRouter } from './topic-router.js';

function setup() {
  const router = new TopicRouter(
    { heartbeatIntervalMs: 100, livenessTimeoutMs: 400, commandTimeoutMs: 200 },
    { clock: new ManualClock() },
  );
  const gw = (nodeId: string, slots: cluster.SlotCount[] = []) => {
    const { link, session } = attachGateway(router, nodeId, { slots });
    let nextId = 1;
    const acquire = (appId: string, limit: number): boolean | undefined => {
      const requestId = nextId++;
      session.receive({ acquire: { requestId, appId, limit } });
      return link.answers().find((a) => a.requestId === requestId)?.granted;
    };
    return { link, session, acquire };
  };
  const slots = () => router.clusterStats().gateways.reduce((n, g) => n + g.connectionSlots, 0);
  return { router, gw, slots };
}

describe('TopicRouter: connection admission across gateways', () => {
  it('answers each acquire with its request id; the limit holds over every gateway', () => {
    const { router, gw, slots } = setup();
    const a = gw('a');
    const b = gw('b');
    expect(a.acquire('app', 3)).toBe(true);
    expect(b.acquire('app', 3)).toBe(true);
    expect(a.acquire('app', 3)).toBe(true);
    expect(b.acquire('app', 3)).toBe(false);
    expect(a.acquire('app', 3)).toBe(false);
    expect(slots()).toBe(3);
    expect(router.counters()['beacon_topic_service_admission_refused_total']).toBe(2);

    b.session.receive({ slots: { changes: [{ appId: 'app', delta: -1 }] } });
    expect(a.acquire('app', 3)).toBe(true);
  });

  it('a gateway that goes away frees its slots: ended, expired, or replaced', () => {
    const { router, gw, slots } = setup();
    const a = gw('a');
    a.acquire('app', 5);
    a.acquire('app', 5);
    const b = gw('b');
    b.acquire('app', 5);
    b.session.ended();
    expect(slots()).toBe(2);
    gw('a'); // the same node id attaches again: the old stream's slots go with it
    expect(slots()).toBe(0);
    expect(router.registry.size).toBe(1);
  });

  it("after a restart the counts are rebuilt from the gateways' snapshots", () => {
    const { gw, slots } = setup();
    const a = gw('a', [{ appId: 'app', count: 2 }]);
    gw('b', [{ appId: 'app', count: 1 }]);
    expect(slots()).toBe(3);
    expect(a.acquire('app', 3)).toBe(false);
    expect(a.acquire('app', 4)).toBe(true);
  });

  it('bad admission input is refused and counted; the stream stays up', () => {
    const { router, gw } = setup();
    const a = gw('a');
    expect(a.acquire('', 3)).toBe(false);
    a.session.receive({ slots: { changes: [{ appId: 'bad\u0000id', delta: 1 }] } });
    expect(router.counters()['beacon_topic_service_gateway_input_rejected_total']).toBe(2);
    expect(a.link.closedWith).toBeNull();
  });
});
