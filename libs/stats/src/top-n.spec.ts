import { describe, expect, it } from 'vitest';
import { TopN } from './top-n.js';

describe('TopN', () => {
  it('keeps the n greatest, best first, ties by name', () => {
    const top = new TopN<{ k: string; v: number }>(
      3,
      (x) => x.v,
      (a, b) => (a.k < b.k ? -1 : 1),
    );
    for (const [k, v] of [
      ['a', 1],
      ['b', 5],
      ['c', 3],
      ['d', 5],
      ['e', 0],
      ['f', 4],
    ] as const)
      top.push({ k, v });
    expect(top.take().map((x) => x.k)).toEqual(['b', 'd', 'f']);
    expect(top.wouldTake(3)).toBe(false);
    expect(top.wouldTake(4)).toBe(true);
  });
});
