import type { HistoryRead, JoinResult, PresenceMember, PresenceStats, StreamPosition } from '@beacon/routing';

/**
 * History and presence through the topic-service are not built yet (issue 8, cluster part): in a cluster
 * these calls fail, and the gateway and push API answer `unavailable`, rather than pretending. The
 * single process has them (LocalRouter). docs/presence-and-history.md says so.
 */
export class NotInClusterYet extends Error {
  constructor(what: string) {
    super(`${what} is not available in a cluster yet (single process only)`);
    this.name = 'NotInClusterYet';
  }
}

/** The Router methods a cluster does not serve yet, mixed into ClusterRouter and GatewayLink. */
export const clusterPendingMethods = {
  history(
    _appId: string,
    _topic: string,
    _opts: { since?: StreamPosition; limit: number },
  ): Promise<HistoryRead> {
    return Promise.reject(new NotInClusterYet('history'));
  },
  presenceJoin(
    _appId: string,
    _topic: string,
    _member: PresenceMember,
    _nodeId: string,
    _limit: number,
  ): Promise<JoinResult> {
    return Promise.reject(new NotInClusterYet('presence'));
  },
  presenceLeave(_appId: string, _topic: string, _clientId: string): void {},
  presenceMembers(_appId: string, _topic: string, _limit: number): Promise<PresenceMember[]> {
    return Promise.reject(new NotInClusterYet('presence'));
  },
  presenceStats(_appId: string, _topic: string): Promise<PresenceStats> {
    return Promise.reject(new NotInClusterYet('presence'));
  },
};
