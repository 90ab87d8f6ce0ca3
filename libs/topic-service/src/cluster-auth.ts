import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { TopicServiceException } from './topic-service.exception.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * The shared cluster token: gateways and push APIs send `authorization: Bearer <token>` on every call
 * and on Attach, so nothing else on the network can publish, kick or read the cluster's state.
 * Compared in constant time (hashes of equal length). Without a token every caller is accepted; the
 * app warns at start.
 */
export class ClusterAuth {
  private readonly expected: Buffer | null;

  constructor(token: string | undefined) {
    this.expected = token === undefined || token === '' ? null : digest(`Bearer ${token}`);
  }

  get enabled(): boolean {
    return this.expected !== null;
  }

  allows(metadata: Metadata | undefined): boolean {
    if (this.expected === null) return true;
    const value = metadata?.get('authorization')[0];
    return typeof value === 'string' && timingSafeEqual(digest(value), this.expected);
  }

  check(metadata: Metadata | undefined): void {
    if (!this.allows(metadata))
      throw new TopicServiceException('unauthenticated', 'missing or wrong cluster token');
  }
}
