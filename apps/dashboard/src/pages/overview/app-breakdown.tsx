import type { AppStatsRow } from '@beacon/admin-api';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Card } from '../../ui/card.js';
import { formatCount, formatRate } from '../../ui/format.js';
import { EmptyState } from '../../ui/states.js';

/** The busiest apps of the snapshot (a bounded top-N), with their share of connections. */
export function AppBreakdown({ apps, omitted }: { apps: AppStatsRow[]; omitted: number }): ReactNode {
  const max = Math.max(1, ...apps.map((a) => a.connections));
  return (
    <Card
      title="Apps"
      sub={omitted > 0 ? `busiest ${apps.length}, ${formatCount(omitted)} more` : undefined}
      flush
    >
      {apps.length === 0 ? (
        <EmptyState title="No app has traffic">Apps appear here once clients connect.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Apps by connections">
            <thead>
              <tr>
                <th>App</th>
                <th className="num">Connections</th>
                <th style={{ width: '18%' }} />
                <th className="num">Subscriptions</th>
                <th className="num">Topics</th>
                <th className="num">Publishes</th>
                <th className="num">Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.appId}>
                  <td>
                    <Link to={`/apps/${encodeURIComponent(a.appKey)}`}>{a.appKey}</Link>
                  </td>
                  <td className="num">{formatCount(a.connections)}</td>
                  <td>
                    <div className="bar" aria-hidden>
                      <span style={{ width: `${(100 * a.connections) / max}%` }} />
                    </div>
                  </td>
                  <td className="num">{formatCount(a.subscriptions)}</td>
                  <td className="num">{formatCount(a.topics)}</td>
                  <td className="num">{formatRate(a.publishesPerSec)}</td>
                  <td className="num">{formatRate(a.deliveriesPerSec)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
