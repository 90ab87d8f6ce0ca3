import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './parse.js';

describe('parseClientFrame', () => {
  it.each([
    ['{"type":"subscribe","topic":"a,b, c"}', { type: 'subscribe', topics: ['a', 'b', 'c'] }],
    ['{"type":2,"topic":"a","topics":["b","a"],"id":5}', { type: 'subscribe', topics: ['a', 'b'], id: 5 }],
    ['{"type":"unSubscribe","topic":"a"}', { type: 'unsubscribe', topics: ['a'] }],
    ['{"type":3,"topics":["a"],"id":"x"}', { type: 'unsubscribe', topics: ['a'], id: 'x' }],
    ['{"type":1,"topic":"a","data":null}', { type: 'publish', topics: ['a'], data: null }],
    ['{"type":"ping"}', { type: 'ping' }],
  ])('accepts %s', (text, frame) => {
    expect(parseClientFrame(text)).toEqual({ ok: true, frame });
  });

  it.each([
    ['nope', 'bad_frame'],
    ['"str"', 'bad_frame'],
    ['null', 'bad_frame'],
    ['{"type":"subscribe","topic":"a","id":{}}', 'bad_frame'],
    ['{"type":"toString","topic":"a"}', 'unknown_type'],
    ['{"type":4,"topic":"a"}', 'unknown_type'],
    ['{"topic":"a"}', 'unknown_type'],
    ['{"type":"subscribe"}', 'missing_topic'],
    ['{"type":"subscribe","topic":",,"}', 'missing_topic'],
    ['{"type":"subscribe","topic":5}', 'bad_frame'],
    ['{"type":"subscribe","topics":"a"}', 'bad_frame'],
    ['{"type":"publish","topic":"a"}', 'bad_frame'],
  ])('rejects %s with %s', (text, code) => {
    const r = parseClientFrame(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('echoes the id on errors after the id was read', () => {
    expect(parseClientFrame('{"type":"bogus","id":9}')).toMatchObject({ ok: false, error: { id: 9 } });
  });
});
