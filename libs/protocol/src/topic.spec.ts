import { describe, expect, it } from 'vitest';
import { compilePatterns, isValidPattern, isValidTopic, patternMatchStats, splitTopics } from './topic.js';

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

  it('matches * and ** anywhere in a pattern', () => {
    const cases: Array<[string, string, boolean]> = [
      ['a*b', 'ab', true],
      ['a*b', 'axxb', true],
      ['a*b', 'ax.b', false],
      ['a*b*c', 'abbbc', true],
      ['*.*', 'x.y', true],
      ['*.*', 'x.y.z', false],
      ['**.log', 'a/b.c.log', true],
      ['**.log', 'log', false],
      ['a.**.z', 'a.b.c.z', true],
      ['a.**.z', 'a..z', true],
      ['a.**.z', 'a.z', false],
      ['*/**', 'x/y/z', true],
      ['*/**', '/', true],
      ['x**', 'x', true],
      ['**x', 'x', true],
      ['*', '', true],
      ['*', 'a.b', false],
    ];
    for (const [p, t, want] of cases) expect(compilePatterns([p]).matches(t), `${p} ~ ${t}`).toBe(want);
  });

  it('agrees with a regular-expression reference on random short patterns and topics', () => {
    // The reference is the old backtracking translation, safe on inputs this short.
    const ref = (p: string): RegExp =>
      new RegExp(
        `^${p
          .replace(/[.+=/\-]/g, (c) => `\\${c}`)
          .replace(/\*\*|\*/g, (s) => (s === '**' ? '.*' : '[^./]*'))}$`,
      );
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string, len: number): string =>
      Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const pattern = pick('ab./**', 1 + rand(8));
      if (!isValidPattern(pattern)) continue;
      const m = compilePatterns([pattern]);
      const re = ref(pattern);
      for (let j = 0; j < 5; j++) {
        const topic = pick('ab./', 1 + rand(10));
        expect(m.matches(topic), `${pattern} ~ ${topic}`).toBe(re.test(topic));
      }
    }
  });

  it('agrees with a dynamic-programming reference on long patterns (automata of several words)', () => {
    /** Does `p` match `t`? Tabulated over (pattern position, topic position): slow, obviously right. */
    const reference = (p: string, t: string): boolean => {
      const tokens: string[] = [];
      for (let i = 0; i < p.length; i++) {
        if (p.startsWith('**', i)) tokens.push(p.slice(i, ++i + 1));
        else tokens.push(p[i] as string);
      }
      let next = new Array<boolean>(t.length + 1).fill(false);
      next[t.length] = true; // no tokens left: only the end of the topic matches
      for (let i = tokens.length - 1; i >= 0; i--) {
        const tok = tokens[i];
        const cur = new Array<boolean>(t.length + 1).fill(false);
        for (let j = t.length; j >= 0; j--) {
          const c = t[j];
          if (tok === '**') cur[j] = next[j]! || (j < t.length && cur[j + 1]!);
          else if (tok === '*') cur[j] = next[j]! || (j < t.length && c !== '.' && c !== '/' && cur[j + 1]!);
          else cur[j] = j < t.length && c === tok && next[j + 1]!;
        }
        next = cur;
      }
      return next[0]!;
    };
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string, len: number): string =>
      Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
    let matched = 0;
    for (let i = 0; i < 300; i++) {
      const pattern = pick('aab.*', 40 + rand(120)).replace(/\*{3,}/g, '**');
      if (!isValidPattern(pattern)) continue;
      const m = compilePatterns([pattern]);
      // Topics built from the pattern (so some match), then mutated one character.
      const built = pattern.replace(/\*\*|\*/g, (s) => pick(s === '**' ? 'ab./' : 'ab', rand(4)));
      const at = rand(built.length);
      for (const topic of [built, built.slice(0, at) + pick('ab./', 1) + built.slice(at + 1)]) {
        if (topic.length === 0) continue;
        const want = reference(pattern, topic);
        if (want) matched++;
        expect(m.matches(topic), `${pattern} ~ ${topic}`).toBe(want);
      }
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('takes time linear in the topic length, even for patterns a backtracking matcher explodes on', () => {
    // The old backtracking RegExp ran for minutes on this pair (six `*a` froze a gateway for seconds).
    const evil = `${'*a'.repeat(12)}*b*`;
    const m = compilePatterns([evil]);
    const steps = (matcher: ReturnType<typeof compilePatterns>, topic: string): number => {
      const before = patternMatchStats.steps;
      expect(matcher.matches(topic)).toBe(false);
      return patternMatchStats.steps - before;
    };
    // One step per topic character and 32-state word of the pattern (26 tokens + 1 states: one word).
    expect(steps(m, 'a'.repeat(100))).toBe(100);
    expect(steps(m, 'a'.repeat(200))).toBe(200);
    // A pattern as long as a topic may be: still one pass, ⌈states/32⌉ = 7 words per character.
    const long = compilePatterns([`${'*a'.repeat(98)}*b*`]);
    expect(steps(long, 'a'.repeat(200))).toBe(200 * 7);
    // The literal head and tail are compared directly, without running the automaton.
    expect(steps(compilePatterns([`${'*a'.repeat(12)}b`]), 'a'.repeat(200))).toBe(0);
  });
});
