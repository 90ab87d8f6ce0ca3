import { CLOSE_REASONS } from '@beacon/protocol';
import { memo, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { useTheme } from '../../shell/theme.js';
import { Card } from '../../ui/card.js';
import { formatByteRate, formatCount, formatRate } from '../../ui/format.js';
import type { SeriesKind, StatsFeed } from './stats-feed.js';
import { TimeChart } from './time-chart.js';

const PALETTE = [
  '--chart-7',
  '--chart-4',
  '--chart-5',
  '--chart-6',
  '--chart-2',
  '--chart-3',
  '--chart-8',
  '--chart-1',
];

/** "4008 slow consumer" for a close code, the reason itself for a refusal. */
export function closeLabel(code: string): string {
  const reason = (CLOSE_REASONS as Record<string, string | undefined>)[code];
  if (reason === undefined) return code;
  return `${code} ${reason.split(':')[0]}`;
}

const TOTALS: Array<{ kind: SeriesKind; title: string; color: string; format: (v: number) => string }> = [
  { kind: 'deliveries', title: 'Deliveries', color: '--chart-1', format: formatRate },
  { kind: 'publishes', title: 'Publishes', color: '--chart-2', format: formatRate },
  { kind: 'connections', title: 'Connections', color: '--chart-3', format: formatCount },
  { kind: 'bytesOut', title: 'Bytes out', color: '--chart-4', format: formatByteRate },
];

function LatestValue({
  feed,
  kind,
  format,
}: {
  feed: StatsFeed;
  kind: SeriesKind;
  format: (v: number) => string;
}) {
  const latest = useSyncExternalStore(feed.subscribe, feed.getLatest);
  if (latest === null) return null;
  const t = latest.totals;
  const v =
    kind === 'deliveries'
      ? t.deliveriesPerSec
      : kind === 'publishes'
        ? t.publishesPerSec
        : kind === 'connections'
          ? t.connections
          : t.bytesOutPerSec;
  return <span className="chart-value">{format(v)}</span>;
}

function TotalsChart({ feed, kind, title, color, format }: { feed: StatsFeed } & (typeof TOTALS)[number]) {
  const { theme } = useTheme();
  const series = useMemo(() => [{ label: title, color }], [title, color]);
  const data = useMemo(() => () => feed.series(kind), [feed, kind]);
  return (
    <Card title={title} sub="last 15 min" actions={<LatestValue feed={feed} kind={kind} format={format} />}>
      <TimeChart
        subscribe={feed.subscribe}
        data={data}
        series={series}
        format={format}
        theme={theme}
        label={`${title} over the last 15 minutes`}
      />
    </Card>
  );
}

function ClosesChart({ feed }: { feed: StatsFeed }) {
  const { theme } = useTheme();
  const shape = useSyncExternalStore(feed.subscribe, feed.getCloseShape);
  const series = useMemo(
    () =>
      shape === ''
        ? []
        : shape.split(',').map((code, i) => ({
            label: closeLabel(code),
            color: PALETTE[i % PALETTE.length] ?? '--chart-8',
          })),
    [shape],
  );
  const data = useMemo(() => () => feed.closeSeries(), [feed]);
  return (
    <Card title="Closes and refusals" sub="per second, by code">
      {series.length === 0 ? (
        <div className="chart">
          <div className="chart-empty">No connection closed or refused in the last 15 minutes.</div>
        </div>
      ) : (
        <TimeChart
          key={shape}
          subscribe={feed.subscribe}
          data={data}
          series={series}
          format={formatRate}
          theme={theme}
          fill={false}
          height={210}
          label="Closes and refusals by code over the last 15 minutes"
        />
      )}
    </Card>
  );
}

/** The five live charts; memoised so a snapshot never re-renders them through React. */
export const OverviewCharts = memo(function OverviewCharts({ feed }: { feed: StatsFeed }): ReactNode {
  return (
    <>
      <div className="grid-2">
        {TOTALS.map((t) => (
          <TotalsChart key={t.kind} feed={feed} {...t} />
        ))}
      </div>
      <ClosesChart feed={feed} />
    </>
  );
});
