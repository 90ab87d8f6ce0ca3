import { describe, expect, it } from 'vitest';
import { MemoryHistoryStore, type HistoryRule } from './history.js';

const RULE: HistoryRule = { size: 5, ttlMs: 60_000 };

function store(opts: { maxBytes?: number; maxStreams?: number } = {}) {
  let now = 1_000_000;
  const s = new MemoryHistoryStore({
    maxBytes: opts.maxBytes ?? 1e9,
    maxStreams: opts.maxStreams ?? 1000,
    now: () => now,
  });
  return {
    s,
    tick(ms: number) {
      now += ms;
    },
    put(topic: string, n: number, rule = RULE, app = 'a') {
      const out = [];
      for (let i = 0; i < n; i++)
        out.push(s.append(app, topic, { id: `m${i}`, ts: now, dataJson: `${i}` }, rule));
      return out;
    },
  };
}

describe('MemoryHistoryStore', () => {
  it('numbers each stream from 1, strictly increasing, with one epoch per stream', () => {
    const { put } = store();
    const a = put('t', 3);
    const b = put('u', 2);
    expect(a.map((p) => p.offset)).toEqual([1, 2, 3]);
    expect(b.map((p) => p.offset)).toEqual([1, 2]);
    expect(new Set(a.map((p) => p.epoch)).size).toBe(1);
    expect(a[0]!.epoch).not.toBe(b[0]!.epoch);
  });

  it('replays exactly what came after `since`, in order, and says it recovered', () => {
    const { s, put } = store();
    const [p1, , p3] = put('t', 4);
    const r = s.read('a', 't', { since: p1!, limit: 100 });
    expect(r.messages.map((m) => [m.offset, m.dataJson])).toEqual([
      [2, '1'],
      [3, '2'],
      [4, '3'],
    ]);
    expect(r).toMatchObject({ recovered: true, position: { offset: 4, epoch: p1!.epoch } });
    // nothing missed
    expect(s.read('a', 't', { since: { offset: 4, epoch: p3!.epoch }, limit: 100 })).toMatchObject({
      messages: [],
      recovered: true,
    });
  });

  it('keeps `size` messages: a client further behind is told recovered: false, with what is left', () => {
    const { s, put } = store();
    const [p1] = put('t', 8); // keeps 4..8
    const r = s.read('a', 't', { since: p1!, limit: 100 });
    expect(r.messages.map((m) => m.offset)).toEqual([4, 5, 6, 7, 8]);
    expect(r.recovered).toBe(false);
    expect(s.read('a', 't', { since: { offset: 3, epoch: p1!.epoch }, limit: 100 }).recovered).toBe(true);
  });

  it('a cut by `limit` is not a recovery', () => {
    const { s, put } = store();
    const [p1] = put('t', 5);
    const r = s.read('a', 't', { since: p1!, limit: 2 });
    expect(r.messages.map((m) => m.offset)).toEqual([2, 3]);
    expect(r).toMatchObject({ recovered: false, position: { offset: 3 } });
  });

  it('another epoch, an unknown stream or a future offset is recovered: false with nothing replayed', () => {
    const { s, put } = store();
    const [p1] = put('t', 2);
    expect(s.read('a', 't', { since: { offset: 1, epoch: 'other' }, limit: 9 })).toMatchObject({
      messages: [],
      recovered: false,
      position: { offset: 2, epoch: p1!.epoch },
    });
    expect(s.read('a', 't', { since: { offset: 9, epoch: p1!.epoch }, limit: 9 }).recovered).toBe(false);
    expect(s.read('a', 'nope', { since: p1!, limit: 9 })).toMatchObject({ messages: [], recovered: false });
    expect(s.read('b', 't', { since: p1!, limit: 9 }).recovered).toBe(false); // apps are apart
  });

  it('without `since` returns the newest `limit` messages, oldest first', () => {
    const { s, put } = store();
    put('t', 5);
    expect(s.read('a', 't', { limit: 2 }).messages.map((m) => m.offset)).toEqual([4, 5]);
    expect(s.read('a', 't', { limit: 2 }).position.offset).toBe(5);
  });

  it('expires messages after the TTL but remembers the position, so a late client learns what it missed', () => {
    const { s, put, tick } = store();
    const [p1] = put('t', 3, { size: 10, ttlMs: 1_000 });
    tick(1_001);
    expect(s.stats().messages).toBe(3); // lazily...
    expect(s.sweep()).toBe(3); // ...or by the sweep
    const r = s.read('a', 't', { since: p1!, limit: 10 });
    expect(r).toMatchObject({ messages: [], recovered: false, position: { offset: 3, epoch: p1!.epoch } });
    // the stream goes on numbering in the same epoch
    expect(put('t', 1, { size: 10, ttlMs: 1_000 })[0]).toEqual({ offset: 4, epoch: p1!.epoch });
    expect(s.read('a', 't', { since: { offset: 3, epoch: p1!.epoch }, limit: 10 }).recovered).toBe(true);
  });

  it('holds total bytes under maxBytes by dropping the oldest messages of the least recently appended stream', () => {
    const { s, put } = store({ maxBytes: 10 * 97 }); // ten 1-byte messages
    put('old', 5, { size: 100, ttlMs: 60_000 });
    put('new', 5, { size: 100, ttlMs: 60_000 });
    put('new', 3, { size: 100, ttlMs: 60_000 });
    const st = s.stats();
    expect(st.bytes).toBeLessThanOrEqual(10 * 97);
    expect(st.evicted).toBe(3);
    expect(s.read('a', 'old', { limit: 100 }).messages.map((m) => m.offset)).toEqual([4, 5]);
    expect(s.read('a', 'new', { limit: 100 }).messages).toHaveLength(8);
  });

  it('forgets the least recently used stream past maxStreams: its next life is a new epoch', () => {
    const { s, put } = store({ maxStreams: 2 });
    const [t1] = put('t1', 1);
    put('t2', 1);
    put('t3', 1);
    expect(s.stats().streams).toBe(2);
    expect(s.position('a', 't1')).toBeNull();
    const again = put('t1', 1)[0]!;
    expect(again.offset).toBe(1);
    expect(again.epoch).not.toBe(t1!.epoch);
  });

  it('stays O(size) in memory on a long-running stream', () => {
    const { s, put } = store();
    put('t', 10_000);
    expect(s.stats()).toMatchObject({ messages: 5 });
    // the internal array was compacted, not left to grow
    const ring = (s as unknown as { streams: Map<string, { ring: unknown[] }> }).streams.values().next()
      .value!.ring;
    expect(ring.length).toBeLessThan(100);
  });
});
