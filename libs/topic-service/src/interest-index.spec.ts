import { describe, expect, it } from 'vitest';
import { InterestIndex } from './interest-index.js';
import { TopicServiceException } from './topic-service.exception.js';

const all = (): boolean => true;
const e = (appId: string, key: string, count: number) => ({ appId, key, count });

describe('InterestIndex', () => {
  it('a snapshot replaces the whole interest of the gateway, and only of that gateway', () => {
    const idx = new InterestIndex<string>(100);
    idx.replace('g1', { topics: [e('a', 't1', 2), e('a', 't2', 1)], users: [e('a', 'u', 1)] }, all);
    idx.replace('g2', { topics: [e('a', 't1', 5)], users: [] }, all);
    expect(idx.topicSubscribers('a', 't1')).toBe(7);

    idx.replace('g1', { topics: [e('a', 't2', 3)], users: [] }, all);
    expect(idx.topicSubscribers('a', 't1')).toBe(5);
    expect(idx.topicSubscribers('a', 't2')).toBe(3);
    expect(idx.userConnections('a', 'u')).toBe(0);
    expect([...(idx.topicGateways('a', 't1')?.keys() ?? [])]).toEqual(['g2']);
    expect(idx.topicCount('g1')).toBe(1);
  });

  it('deltas carry the new absolute count; 0 removes the gateway from the key', () => {
    const idx = new InterestIndex<string>(100);
    idx.replace('g1', { topics: [e('a', 't', 1)], users: [] }, all);
    idx.apply('g1', { topics: [e('a', 't', 4), e('a', 'x', 1)], users: [e('a', 'u', 2)] }, all);
    expect(idx.topicSubscribers('a', 't')).toBe(4);
    expect(idx.userConnections('a', 'u')).toBe(2);
    idx.apply('g1', { topics: [e('a', 't', 0)], users: [e('a', 'u', 0)] }, all);
    expect(idx.topicGateways('a', 't')).toBeUndefined();
    expect(idx.userGateways('a', 'u')).toBeUndefined();
    expect(idx.topicCount('g1')).toBe(1);
    expect(idx.userCount('g1')).toBe(0);
  });

  it('lists every topic of one app or of all, its gateways summed (what topic listings rank by)', () => {
    const idx = new InterestIndex<string>(100);
    idx.replace('g1', { topics: [e('a', 't1', 2), e('b', 't1', 1)], users: [e('a', 'u', 1)] }, all);
    idx.replace('g2', { topics: [e('a', 't1', 5), e('a', 't2', 1)], users: [] }, all);
    expect([...idx.allTopicSums('a')].sort()).toEqual([
      ['a', 't1', 7],
      ['a', 't2', 1],
    ]);
    expect([...idx.allTopicSums()].sort()).toEqual([
      ['a', 't1', 7],
      ['a', 't2', 1],
      ['b', 't1', 1],
    ]);
    expect([...idx.allTopicSums('nope')]).toEqual([]);
  });

  it('keeps apps apart', () => {
    const idx = new InterestIndex<string>(100);
    idx.replace('g1', { topics: [e('a', 't', 1)], users: [] }, all);
    expect(idx.topicGateways('b', 't')).toBeUndefined();
    expect([...idx.topicSums('b')]).toEqual([]);
  });

  it('skips invalid entries and reports how many', () => {
    const idx = new InterestIndex<string>(100);
    const skipped = idx.replace(
      'g1',
      { topics: [e('a', 'ok', 1), e('a', 'bad topic', 1)], users: [] },
      (_k, x) => !x.key.includes(' '),
    );
    expect(skipped).toBe(1);
    expect([...idx.topicSums('a')]).toEqual([['ok', 1]]);
  });

  it('bounds the entries a gateway may hold', () => {
    const idx = new InterestIndex<string>(2);
    idx.replace('g1', { topics: [e('a', 't1', 1)], users: [e('a', 'u', 1)] }, all);
    expect(() => idx.apply('g1', { topics: [e('a', 't2', 1)], users: [] }, all)).toThrow(
      TopicServiceException,
    );
    idx.apply('g1', { topics: [e('a', 't1', 9)], users: [] }, all);
    expect(idx.topicSubscribers('a', 't1')).toBe(9);
  });

  it('remove forgets every entry of the gateway', () => {
    const idx = new InterestIndex<string>(100);
    idx.replace('g1', { topics: [e('a', 't', 1)], users: [e('a', 'u', 1)] }, all);
    idx.remove('g1');
    expect(idx.topicSubscribers('a', 't')).toBe(0);
    expect(idx.userConnections('a', 'u')).toBe(0);
    expect(idx.topicCount('g1')).toBe(0);
  });
});
