import { useState, useSyncExternalStore, type ReactNode } from 'react';
import { useEventStream } from '../../api/event-stream.js';
import { LiveBadge } from '../../ui/live-badge.js';
import { PageHeader } from '../../ui/page.js';
import { Loading } from '../../ui/states.js';
import { LocalTime } from '../../ui/time.js';
import { AppBreakdown } from './app-breakdown.js';
import { OverviewCharts } from './charts.js';
import { NodeTable } from './node-table.js';
import { StatsFeed } from './stats-feed.js';
import { TopTopics } from './top-topics.js';
import { TotalsTiles } from './totals.js';

/**
 * The platform live: `statsStream` sends its history once (the charts are full at once) and then a bounded
 * snapshot about every second. The stream pauses while the tab is hidden and starts over when it is shown.
 */
export function OverviewPage(): ReactNode {
  const [feed] = useState(() => new StatsFeed());
  const status = useEventStream('statsStream', undefined, {
    history: feed.applyHistory,
    snapshot: feed.applySnapshot,
  });
  const snapshot = useSyncExternalStore(feed.subscribe, feed.getLatest);

  return (
    <>
      <PageHeader
        title="Overview"
        description="Connections, throughput and health of every node, updated every second."
        actions={
          <>
            {snapshot !== null && (
              <span className="faint" style={{ fontSize: 12 }}>
                Updated <LocalTime value={snapshot.ts} />
              </span>
            )}
            <LiveBadge status={status} />
          </>
        }
      />
      {snapshot === null ? (
        <div className="card">
          <Loading
            label={status === 'reconnecting' ? 'Waiting for the platform…' : 'Waiting for the first sample…'}
          />
        </div>
      ) : (
        <div className="stack">
          <TotalsTiles snapshot={snapshot} />
          <OverviewCharts feed={feed} />
          <NodeTable nodes={snapshot.nodes} now={snapshot.ts} />
          <AppBreakdown apps={snapshot.apps} omitted={snapshot.appsOmitted} />
          <TopTopics bySubscribers={snapshot.topTopics.bySubscribers} byRate={snapshot.topTopics.byRate} />
        </div>
      )}
    </>
  );
}
