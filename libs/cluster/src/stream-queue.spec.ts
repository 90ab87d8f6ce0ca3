import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { StreamQueue } from './stream-queue.js';

/** An object-mode stream that takes `hwm` messages, then needs a drain; `flush` lets them through. */
class FakeStream extends EventEmitter {
  readonly written: string[] = [];
  private waiting: Array<() => void> = [];
  constructor(private readonly hwm: number) {
    super();
  }
  get writableNeedDrain(): boolean {
    return this.waiting.length >= this.hwm;
  }
  write(m: string, cb: () => void): boolean {
    this.written.push(m);
    this.waiting.push(cb);
    return !this.writableNeedDrain;
  }
  flush(): void {
    const was = this.writableNeedDrain;
    for (const cb of this.waiting.splice(0)) cb();
    if (was) this.emit('drain');
  }
}

describe('StreamQueue', () => {
  it('writes only while the stream needs no drain and holds the rest, within its bounds', () => {
    const q = new StreamQueue<string>({ maxMessages: 5, maxBytes: 1000 });
    const s = new FakeStream(2);
    q.setStream(s);
    for (const m of ['a', 'b', 'c', 'd', 'e']) expect(q.offer(m, 10)).toBe(true);
    expect(s.written).toEqual(['a', 'b']);
    expect(q.offer('f', 10)).toBe(false); // 5 messages waiting (2 in the stream, 3 held)
    expect([q.count, q.bytes]).toEqual([5, 50]);
    s.flush();
    expect(s.written).toEqual(['a', 'b', 'c', 'd']);
    expect(q.count).toBe(3);
    s.flush();
    s.flush();
    expect(s.written).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([q.count, q.bytes]).toEqual([0, 0]);
  });

  it('bounds bytes; a single message larger than the bound still goes when the queue is empty', () => {
    const q = new StreamQueue<string>({ maxMessages: 100, maxBytes: 100 });
    expect(q.offer('big', 500)).toBe(true);
    expect(q.offer('small', 1)).toBe(false);
    const s = new FakeStream(10);
    q.setStream(s);
    s.flush();
    expect(q.offer('small', 60)).toBe(true);
    expect(q.offer('small', 60)).toBe(false);
  });

  it('a lost stream: held client publishes wait for the next one, other messages are dropped', () => {
    const q = new StreamQueue<string>({ maxMessages: 100, maxBytes: 10_000 });
    const s = new FakeStream(1);
    q.setStream(s);
    q.offer('p1', 10, true);
    q.offer('r1', 10);
    q.offer('p2', 10, true);
    expect(q.setStream(undefined)).toBe(1);
    expect([q.count, q.bytes]).toEqual([1, 10]); // p1 was lost with the stream, r1 dropped
    s.flush(); // the old stream's callbacks change nothing
    expect(q.count).toBe(1);
    const next = new FakeStream(4);
    q.setStream(next);
    expect(next.written).toEqual(['p2']);
  });

  it('calls onDrain on each drain so coalesced messages go out', () => {
    const q = new StreamQueue<string>({ maxMessages: 100, maxBytes: 10_000 });
    const s = new FakeStream(1);
    q.setStream(s);
    let drains = 0;
    q.onDrain = () => {
      drains++;
      q.push('delta', 5);
    };
    q.offer('a', 1);
    expect(q.ready).toBe(false);
    s.flush();
    expect(drains).toBe(1);
    expect(s.written).toEqual(['a', 'delta']);
  });
});
