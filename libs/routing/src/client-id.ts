import { IdSequence } from './ids.js';

/**
 * Client ids are `c<nodeId>.<n in base 36>`: the node part names the gateway that holds the connection,
 * so a send, a disconnect or a directory lookup by client id goes to that one gateway. They are made and
 * read here only.
 */
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CLIENT_ID = /^c([A-Za-z0-9_-]{1,64})\.([0-9a-z]{1,16})$/;

/** Where a client id sits in the platform-wide order of connections: its node, then its sequence. */
export interface ClientIdParts {
  nodeId: string;
  seq: number;
}

/** A node id as nodes register it (newNodeId makes them; the topic-service refuses any other). */
export function isValidNodeId(id: unknown): id is string {
  return typeof id === 'string' && NODE_ID.test(id);
}

/** The ids of one node's connections, in order: `c<nodeId>.1`, `c<nodeId>.2`, ... */
export function clientIdSequence(nodeId: string): IdSequence {
  return new IdSequence(`c${nodeId}`);
}

/** A client id's node and sequence; null for anything `clientIdSequence` does not make. */
export function parseClientId(clientId: string): ClientIdParts | null {
  const m = CLIENT_ID.exec(clientId);
  return m === null ? null : { nodeId: m[1] as string, seq: parseInt(m[2] as string, 36) };
}

/** The node id of the gateway holding a client, or null for a malformed id. */
export function nodeOfClient(clientId: string): string | null {
  const m = CLIENT_ID.exec(clientId);
  return m === null ? null : (m[1] as string);
}
