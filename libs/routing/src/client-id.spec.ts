import { describe, expect, it } from 'vitest';
import { clientIdSequence, isValidNodeId, nodeOfClient, parseClientId } from './client-id.js';
import { newNodeId } from './ids.js';

describe('client ids', () => {
  it('are made per node in order and read back to their node and sequence', () => {
    const nodeId = newNodeId();
    const ids = clientIdSequence(nodeId);
    const made = Array.from({ length: 40 }, () => ids.next());
    expect(made[0]).toBe(`c${nodeId}.1`);
    expect(made[35]).toBe(`c${nodeId}.10`); // base 36
    made.forEach((id, i) => {
      expect(parseClientId(id)).toEqual({ nodeId, seq: i + 1 });
      expect(nodeOfClient(id)).toBe(nodeId);
    });
  });

  it('keep node ids with - and _ (base64url) whole', () => {
    expect(parseClientId('ca-_Z9.z')).toEqual({ nodeId: 'a-_Z9', seq: 35 });
  });

  it('refuse anything else', () => {
    for (const bad of [
      '',
      'c',
      'c.1',
      'cnode',
      'cnode.',
      'node.1',
      'cno.de.1',
      'cnode.1A',
      'cnode.-1',
      ' cnode.1',
    ]) {
      expect(parseClientId(bad)).toBeNull();
      expect(nodeOfClient(bad)).toBeNull();
    }
    expect(nodeOfClient(`c${'n'.repeat(65)}.1`)).toBeNull();
  });

  it('name valid node ids', () => {
    expect(isValidNodeId(newNodeId())).toBe(true);
    for (const bad of ['', 'a.b', 'a b', 'n'.repeat(65), 7, null]) expect(isValidNodeId(bad)).toBe(false);
  });
});
