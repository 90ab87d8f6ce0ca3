import type { StatsSnapshot } from '@beacon/admin-api';
import type { ReactNode } from 'react';
import { Stat } from '../../ui/card.js';
import { formatByteRate, formatCount, formatRate } from '../../ui/format.js';

export function TotalsTiles({ snapshot }: { snapshot: StatsSnapshot }): ReactNode {
  const t = snapshot.totals;
  const down = snapshot.nodes.filter((n) => n.status !== 'up').length;
  return (
    <div className="stats">
      <Stat
        label="Connections"
        value={formatCount(t.connections)}
        sub={`${formatCount(t.subscriptions)} subscriptions`}
      />
      <Stat label="Topics" value={formatCount(t.topics)} sub="with subscribers" />
      <Stat label="Deliveries" value={formatRate(t.deliveriesPerSec)} sub="messages written" />
      <Stat label="Publishes" value={formatRate(t.publishesPerSec)} sub="API and clients" />
      <Stat label="Bytes out" value={formatByteRate(t.bytesOutPerSec)} sub="to clients" />
      <Stat label="Nodes" value={formatCount(t.nodes)} sub={down === 0 ? 'all up' : `${down} not up`} />
    </div>
  );
}
