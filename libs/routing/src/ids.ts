import { randomBytes } from 'node:crypto';

/**
 * Node ids are 64 random bits: unique across a cluster without coordination and without looking at
 * addresses. Ids made from them (clients, messages) append a per-node counter.
 */
export function newNodeId(): string {
  return randomBytes(8).toString('base64url');
}

export class IdSequence {
  private n = 0;
  constructor(private readonly prefix: string) {}
  next(): string {
    this.n++;
    return `${this.prefix}.${this.n.toString(36)}`;
  }
}
