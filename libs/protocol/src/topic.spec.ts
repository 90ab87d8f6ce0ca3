import { describe, expect, it } from 'vitest';
import { compilePatterns, isValidPattern, isValidTopic, splitTopics } from './topic.js';

describe('topics', () => {
  it('accepts firetower and dotted names, rejects the rest', () => {
    for (const t of ['a', '/chat/world', 'user.42.inbox', 'a:b@c=d+e~f_g-h'])
      expect(isValidTopic(t)).toBe(true);
    for (const t of ['', 'a b', 'a,b', 'x'.repeat(201), 'é', 'a*', null, 5])
      expect(isValidTopic(t)).toBe(false);
    expect(isValidTopic('x'.repeat(10), 5)).toBe(false);
  });

  it('splits comma lists', () => {
    expect(splitTopics('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(splitTopics('')).toEqual([]);
  });

  it('matches patterns: * one segment, ** anything', () => {
    const m = compilePatterns(['chat.*', '/user/42/**', 'exact']);
    expect(['chat.room', 'chat.', '/user/42/a/b', 'exact'].map((t) => m.matches(t))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['chat.room.x', 'chat/x', 'chatxroom', '/user/43/a', 'exactly'].map((t) => m.matches(t))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(compilePatterns(['**']).all).toBe(true);
    expect(compilePatterns([]).matches('a')).toBe(false);
    expect(isValidPattern('a***')).toBe(false);
    expect(() => compilePatterns(['bad pattern'])).toThrow();
  });
});
