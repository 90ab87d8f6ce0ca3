import { describe, expect, it } from 'vitest';
import type { cluster } from '@beacon/contracts';
import { ManualClock } from './clock.js';
import { attachGateway, type FakeLink } from './test/fake-link.js';
import { TopicRouter } from './topic-router.js';

const rule = (topic: string): cluster.HistoryRule => ({ topic, size: 100, ttlMs: 60_000 });
const data = (s: string) => Buffer.from(JSON.stringify(s));

function setup() {
  const clock = new ManualClock();
  const router = new TopicRouter({ heartbeatIntervalMs: 100, livenessTimeoutMs: 400 }, { clock });
  const gw = (nodeId: string, topics: string[] = []) => attachGateway(router, nodeId, { topics });
  const publish = (
    topics: string[],
    text: string,
    history = topics.filter((t) => t.startsWith('h.')).map(rule),
  ) => router.publish({ appId: 'app', topics, dataJson: data(text), history });
  return { clock, router, gw, publish };
}
const offsets = (link: FakeLink, topic: string) =>
  link.messages().flatMap((m) => m.positions.filter((p) => p.topic === topic).map((p) => p.offset));
const pages = (link: FakeLink) => link.written.flatMap((m) => (m.replayed ? [m.replayed] : []));

describe('TopicHistory: the one authority numbering history topics', () => {
  it('numbers a history topic before routing it; other topics pay nothing', () => {
    const { gw, publish } = setup();
    const a = gw('a', ['h.t', 'plain']);
    const r1 = publish(['h.t'], 'one');
    const r2 = publish(['h.t', 'plain'], 'two');
    expect(r1.positions).toEqual([{ topic: 'h.t', offset: 1, epoch: expect.any(String) }]);
    expect(r2.positions).toEqual([{ topic: 'h.t', offset: 2, epoch: r1.positions[0]!.epoch }]);
    expect(offsets(a.link, 'h.t')).toEqual([1, 2]);
    expect(publish(['plain'], 'three').positions).toEqual([]);
    expect(a.link.messages().at(-1)!.positions).toEqual([]);
  });

  it('a client publish on a history topic reaches its own gateway too, numbered, and is answered', () => {
    const { gw } = setup();
    const origin = gw('a', ['h.t', 'plain']);
    const other = gw('b', ['h.t', 'plain']);
    origin.session.receive({
      publish: {
        appId: 'app',
        target: undefined,
        topics: ['h.t', 'plain'],
        dataJson: data('x'),
        id: 'ma.1',
        ts: 1,
        positions: [],
        requestId: 7,
        history: [rule('h.t')],
      },
    });
    // The origin delivered `plain` itself; it gets `h.t` from here, numbered.
    expect(origin.link.messages()).toMatchObject([{ target: { topic: 'h.t' }, positions: [{ offset: 1 }] }]);
    expect(other.link.messages()).toMatchObject([
      { topics: ['h.t', 'plain'], positions: [{ topic: 'h.t', offset: 1 }] },
    ]);
    const answer = origin.link.written.find((m) => m.published)?.published;
    expect(answer).toMatchObject({ requestId: 7, positions: [{ topic: 'h.t', offset: 1 }] });
  });

  it('refuses a rule for a topic the publish does not name, or out of bounds', () => {
    const { publish } = setup();
    const bad = (history: cluster.HistoryRule[]) =>
      expect(() => publish(['h.t'], 'x', history)).toThrow(
        expect.objectContaining({ code: 'invalid_argument' }),
      );
    bad([rule('h.other')]);
    bad([{ topic: 'h.t', size: 0, ttlMs: 1000 }]);
    bad([{ topic: 'h.t', size: 10, ttlMs: 8 * 24 * 3600 * 1000 }]);
    bad([rule('h.t'), rule('h.t')]);
  });

  it('a replay asked on the stream is read after the interest sent before it: nothing is missed', () => {
    const { gw, publish } = setup();
    const a = gw('a');
    publish(['h.t'], 'one'); // nobody subscribed: numbered, routed nowhere
    publish(['h.t'], 'two');
    const epoch = publish(['h.t'], 'three').positions[0]!.epoch;
    // A subscribe on gateway a: its interest change, then its replay request, on one stream.
    a.session.receive({
      delta: { topics: [{ appId: 'app', key: 'h.t', count: 1 }], users: [], slots: [], members: [] },
    });
    a.session.receive({
      replay: { requestId: 1, appId: 'app', topic: 'h.t', since: { offset: 1, epoch }, limit: 100 },
    });
    publish(['h.t'], 'four');
    const [page] = pages(a.link);
    expect(page!.reply!.messages.map((m) => m.offset)).toEqual([2, 3]);
    expect(page).toMatchObject({
      requestId: 1,
      more: false,
      reply: { recovered: true, position: { offset: 3, epoch } },
    });
    expect(offsets(a.link, 'h.t')).toEqual([4]); // live, right after the page: no gap, no duplicate
  });

  it('cuts a replay page at its byte bound; the rest is read from its position', () => {
    const { gw, publish } = setup();
    const a = gw('a', ['h.big']);
    const big = 'x'.repeat(600 * 1024);
    const epoch = publish(['h.big'], big).positions[0]!.epoch;
    publish(['h.big'], big);
    publish(['h.big'], big);
    a.session.receive({
      replay: { requestId: 1, appId: 'app', topic: 'h.big', since: { offset: 0, epoch }, limit: 100 },
    });
    const [page] = pages(a.link);
    expect(page!.reply!.messages.map((m) => m.offset)).toEqual([1]);
    expect(page).toMatchObject({ more: true, reply: { recovered: true, position: { offset: 1 } } });
    a.session.receive({
      replay: { requestId: 2, appId: 'app', topic: 'h.big', since: { offset: 1, epoch }, limit: 99 },
    });
    expect(pages(a.link)[1]).toMatchObject({ more: true, reply: { position: { offset: 2 } } });
  });

  it('a restarted topic-service starts new epochs: the old position is not recovered', () => {
    const first = setup();
    const before = first.publish(['h.t'], 'one').positions[0]!;
    const second = setup();
    const a = second.gw('a', ['h.t']);
    a.session.receive({ replay: { requestId: 1, appId: 'app', topic: 'h.t', since: before, limit: 100 } });
    expect(pages(a.link)[0]).toMatchObject({ reply: { recovered: false, messages: [] } });
    const after = second.publish(['h.t'], 'one').positions[0]!;
    expect(after.offset).toBe(1);
    expect(after.epoch).not.toBe(before.epoch);
    expect(second.router.readHistory({ appId: 'app', topic: 'h.t', since: before, limit: 10 })).toMatchObject(
      {
        recovered: false,
      },
    );
  });
});
