import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from './cluster-auth.js';
import { TopicServiceException } from './topic-service.exception.js';

const md = (value?: string): Metadata => {
  const m = new Metadata();
  if (value !== undefined) m.set('authorization', value);
  return m;
};

describe('ClusterAuth', () => {
  it('accepts only the exact bearer token when one is set', () => {
    const auth = new ClusterAuth('s3cret-token-0123456789');
    expect(auth.allows(md('Bearer s3cret-token-0123456789'))).toBe(true);
    for (const bad of [
      undefined,
      '',
      'Bearer s3cret-token-012345678',
      's3cret-token-0123456789',
      'Bearer x',
    ]) {
      expect(auth.allows(md(bad))).toBe(false);
    }
    expect(() => auth.check(md())).toThrow(TopicServiceException);
    try {
      auth.check(md('Bearer nope'));
    } catch (err) {
      expect((err as TopicServiceException).grpcStatus).toBe(16); // UNAUTHENTICATED
    }
  });

  it('accepts every caller when no token is configured', () => {
    expect(new ClusterAuth(undefined).allows(md())).toBe(true);
    expect(new ClusterAuth('').enabled).toBe(false);
  });
});
