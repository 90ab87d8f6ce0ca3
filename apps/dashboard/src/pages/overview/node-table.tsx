import type { NodeRow } from '@beacon/admin-api';
import { memo, type ReactNode } from 'react';
import { Badge } from '../../ui/badge.js';
import { Card } from '../../ui/card.js';
import { formatBytes, formatCount, formatDuration, formatMs, formatRate } from '../../ui/format.js';

const KIND: Record<NodeRow['kind'], string> = {
  single: 'single process',
  'topic-service': 'topic-service',
  gateway: 'gateway',
  'push-api': 'push API',
};

const STATUS_TONE = { up: 'ok', degraded: 'warn', down: 'danger' } as const;

const NodeLine = memo(function NodeLine({ n, now }: { n: NodeRow; now: number }) {
  return (
    <tr>
      <td>
        <div style={{ fontWeight: 500 }}>{n.id}</div>
        <div className="faint mono">{n.address}</div>
      </td>
      <td className="muted nowrap">{KIND[n.kind]}</td>
      <td>
        <Badge tone={STATUS_TONE[n.status]} dot>
          {n.status}
        </Badge>
      </td>
      <td className="num">{n.status === 'down' ? '—' : formatDuration(now - n.startedAt)}</td>
      <td className="num">{formatCount(n.connections)}</td>
      <td className="num">{formatCount(n.subscriptions)}</td>
      <td className="num">{formatCount(n.topics)}</td>
      <td className="num" title={`heap ${formatBytes(n.heapUsedBytes)}`}>
        {formatBytes(n.rssBytes)}
      </td>
      <td className="num">
        <span
          style={{
            color:
              n.eventLoopP99Ms > 100 ? 'var(--danger)' : n.eventLoopP99Ms > 30 ? 'var(--warn)' : undefined,
          }}
        >
          {formatMs(n.eventLoopP99Ms)}
        </span>
      </td>
      <td className="num">{formatRate(n.deliveriesPerSec)}</td>
    </tr>
  );
});

/** Every node of the platform with its health and load, from the latest snapshot. */
export function NodeTable({ nodes, now }: { nodes: NodeRow[]; now: number }): ReactNode {
  return (
    <Card title="Nodes" sub={`${nodes.length}`} flush>
      <div className="table-wrap">
        <table className="table" aria-label="Nodes">
          <thead>
            <tr>
              <th>Node</th>
              <th>Kind</th>
              <th>Status</th>
              <th className="num">Uptime</th>
              <th className="num">Connections</th>
              <th className="num">Subscriptions</th>
              <th className="num">Topics</th>
              <th className="num">Memory</th>
              <th className="num" title="p99 event-loop delay">
                Loop p99
              </th>
              <th className="num">Deliveries</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => (
              <NodeLine key={n.id} n={n} now={now} />
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
