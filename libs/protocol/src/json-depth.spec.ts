import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, valueDepthExceeds } from './json-depth.js';

const nested = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('JSON depth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonDepthExceeds('1', 0)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonDepthExceeds(nested(32), 32)).toBe(false);
    expect(jsonDepthExceeds(nested(33), 32)).toBe(true);
    expect(jsonDepthExceeds(nested(30_000), 32)).toBe(true);
  });

  it('measures parsed values the same way, without recursion', () => {
    expect(valueDepthExceeds(JSON.parse('{"a":[1,{"b":2}]}'), 3)).toBe(false);
    expect(valueDepthExceeds(JSON.parse('{"a":[1,{"b":2}]}'), 2)).toBe(true);
    expect(valueDepthExceeds('x', 0)).toBe(false);
    expect(valueDepthExceeds(JSON.parse(nested(33)), 32)).toBe(true);
    expect(valueDepthExceeds(JSON.parse(nested(5000)), 32)).toBe(true);
  });
});
