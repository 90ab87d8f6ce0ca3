import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { CommandTracker } from './command-tracker.js';

function setup(timeoutMs = 100) {
  const clock = new ManualClock();
  let timedOut = 0;
  const tracker = new CommandTracker<string>(clock, timeoutMs, 10, (n) => (timedOut += n));
  const sent: Array<[string, { requestId: number }]> = [];
  const write = (g: string, m: { requestId: number }): boolean => {
    sent.push([g, m]);
    return g !== 'dead';
  };
  return { clock, tracker, sent, write, timedOut: () => timedOut };
}

describe('CommandTracker', () => {
  it('builds the command once and sums every answer', async () => {
    const { tracker, sent, write } = setup();
    const p = tracker.dispatch(['g1', 'g2'], (requestId) => ({ requestId }), write);
    expect(sent[0]?.[1]).toBe(sent[1]?.[1]);
    const id = sent[0]?.[1].requestId as number;
    tracker.result('g1', id, 2);
    tracker.result('g1', id, 5); // a second answer from the same gateway is ignored
    tracker.result('g2', id, 3);
    await expect(p).resolves.toBe(5);
    expect(tracker.size).toBe(0);
  });

  it('at the deadline resolves with what arrived and counts the silent gateways', async () => {
    const { clock, tracker, sent, write, timedOut } = setup(100);
    const p = tracker.dispatch(['g1', 'g2', 'g3'], (requestId) => ({ requestId }), write);
    tracker.result('g2', sent[0]?.[1].requestId as number, 4);
    clock.advance(99);
    expect(tracker.size).toBe(1);
    clock.advance(1);
    await expect(p).resolves.toBe(4);
    expect(timedOut()).toBe(2);
  });

  it('does not wait for gateways that could not take the command, nor for ones that left', async () => {
    const { tracker, write, timedOut } = setup();
    await expect(tracker.dispatch(['dead'], (requestId) => ({ requestId }), write)).resolves.toBe(0);
    const p = tracker.dispatch(['g1'], (requestId) => ({ requestId }), write);
    tracker.forget('g1');
    await expect(p).resolves.toBe(0);
    expect(timedOut()).toBe(0);
  });

  it('bounds the commands in flight', () => {
    const { tracker, write } = setup();
    for (let i = 0; i < 10; i++) void tracker.dispatch(['g1'], (requestId) => ({ requestId }), write);
    expect(() => tracker.dispatch(['g1'], (requestId) => ({ requestId }), write)).toThrow(/in flight/);
    tracker.close();
    expect(tracker.size).toBe(0);
  });
});
