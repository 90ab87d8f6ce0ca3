import { describe, expect, it } from 'vitest';
import { PresenceTable } from './presence.js';

const m = (clientId: string, userId: string | null, info: Record<string, unknown> | null = null) => ({
  clientId,
  userId,
  info,
});

describe('PresenceTable', () => {
  it('counts members and distinct users per app and topic', () => {
    const t = new PresenceTable();
    expect(t.join('a', 'room', m('c1', 'ann', { colour: 'red' }), 'n1', 10)).toBe('joined');
    expect(t.join('a', 'room', m('c2', 'ann'), 'n2', 10)).toBe('joined');
    expect(t.join('a', 'room', m('c3', null), 'n1', 10)).toBe('joined');
    expect(t.join('a', 'room', m('c1', 'ann'), 'n1', 10)).toBe('present');
    expect(t.join('b', 'room', m('c9', 'bob'), 'n1', 10)).toBe('joined');
    expect(t.stats('a', 'room')).toEqual({ clients: 3, users: 1 });
    expect(t.members('a', 'room')).toEqual([
      m('c1', 'ann', { colour: 'red' }),
      m('c2', 'ann'),
      m('c3', null),
    ]);
    expect(t.stats('b', 'room')).toEqual({ clients: 1, users: 1 });
    expect(t.size()).toBe(4);
  });

  it('refuses a member past the limit', () => {
    const t = new PresenceTable();
    t.join('a', 'r', m('c1', 'u1'), 'n', 2);
    t.join('a', 'r', m('c2', 'u2'), 'n', 2);
    expect(t.join('a', 'r', m('c3', 'u3'), 'n', 2)).toBe('full');
    t.leave('a', 'r', 'c1');
    expect(t.join('a', 'r', m('c3', 'u3'), 'n', 2)).toBe('joined');
  });

  it('leaves: a user stays until their last connection leaves; unknown leaves are no-ops', () => {
    const t = new PresenceTable();
    t.join('a', 'r', m('c1', 'ann'), 'n', 9);
    t.join('a', 'r', m('c2', 'ann'), 'n', 9);
    expect(t.leave('a', 'r', 'c1')).toEqual(m('c1', 'ann'));
    expect(t.stats('a', 'r')).toEqual({ clients: 1, users: 1 });
    expect(t.leave('a', 'r', 'c1')).toBeNull();
    t.leave('a', 'r', 'c2');
    expect(t.stats('a', 'r')).toEqual({ clients: 0, users: 0 });
    expect(t.size()).toBe(0);
  });

  it('drops every member of a dead node and reports their leaves', () => {
    const t = new PresenceTable();
    t.join('a', 'r1', m('c1', 'ann'), 'n1', 9);
    t.join('a', 'r2', m('c1', 'ann'), 'n1', 9);
    t.join('a', 'r1', m('c2', 'bob'), 'n2', 9);
    const leaves = t.dropNode('n1');
    expect(leaves.map((c) => [c.topic, c.member.clientId, c.kind])).toEqual([
      ['r1', 'c1', 'leave'],
      ['r2', 'c1', 'leave'],
    ]);
    expect(t.stats('a', 'r1')).toEqual({ clients: 1, users: 1 });
    expect(t.dropNode('n1')).toEqual([]);
  });
});
