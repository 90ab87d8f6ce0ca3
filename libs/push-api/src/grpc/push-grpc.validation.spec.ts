import { describe, expect, it } from 'vitest';
import { PushApiException } from '../push-api.exception.js';
import { checkDataJson, checkLabel, checkTopics, listQuery } from './push-grpc.validation.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof PushApiException ? err.code : 'not a PushApiException';
  }
};

describe('gRPC request checks', () => {
  it('returns the original JSON text, whitespace and all, without re-serialising', () => {
    const text = '{ "a" : [1, 2],\n "b": "é" }';
    expect(checkDataJson(text, 100)).toBe(text);
  });

  it('refuses bad, empty and oversize JSON with the REST codes (size measured in UTF-8 bytes)', () => {
    expect(code(() => checkDataJson('{"a":', 100))).toBe('invalid_request');
    expect(code(() => checkDataJson('', 100))).toBe('invalid_request');
    expect(code(() => checkDataJson('undefined', 100))).toBe('invalid_request');
    expect(code(() => checkDataJson('"ééé"', 7))).toBe('payload_too_large');
    expect(checkDataJson('"ééé"', 8)).toBe('"ééé"');
  });

  it('deduplicates topics and enforces 1-100 valid names', () => {
    expect(checkTopics(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(code(() => checkTopics([]))).toBe('invalid_request');
    expect(code(() => checkTopics(Array.from({ length: 101 }, (_, i) => `t${i}`)))).toBe('invalid_request');
    expect(code(() => checkTopics(['ok', 'not ok']))).toBe('invalid_topic');
    expect(code(() => checkTopics(['a,b']))).toBe('invalid_topic');
  });

  it('honours the configured topic length', () => {
    const long = 'x'.repeat(250);
    expect(code(() => checkTopics([long]))).toBe('invalid_topic');
    expect(checkTopics([long], 300)).toEqual([long]);
    expect(code(() => checkLabel(long))).toBe('invalid_topic');
    expect(checkLabel(long, 300)).toBe(long);
  });

  it('refuses data_json nested deeper than 32 levels before parsing it', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(checkDataJson(deep(32), 1_000_000)).toBe(deep(32));
    expect(code(() => checkDataJson(deep(33), 1_000_000))).toBe('invalid_request');
    expect(code(() => checkDataJson(deep(30_000), 1_000_000))).toBe('invalid_request');
  });

  it('treats proto3 defaults as absent: no label, no prefix, default limit', () => {
    expect(checkLabel(undefined)).toBeUndefined();
    expect(code(() => checkLabel('a b'))).toBe('invalid_topic');
    // the use case checks the query and applies the default limit (push-use-cases.spec.ts)
    expect(listQuery('', 0)).toEqual({});
    expect(listQuery('room.', 5)).toEqual({ prefix: 'room.', limit: 5 });
  });
});
