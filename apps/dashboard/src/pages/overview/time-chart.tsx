import { memo, useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Theme } from '../../shell/theme.js';
import { formatTime } from '../../ui/format.js';
import { WINDOW_SEC, type Columns } from './stats-feed.js';

export interface ChartSeries {
  label: string;
  /** A CSS custom property holding a 6-digit hex colour (`--chart-1`). */
  color: string;
}

export interface TimeChartProps {
  /** Subscribes to new data; the chart calls `data()` on each notification and hands it to uPlot. */
  subscribe: (onChange: () => void) => () => void;
  data: () => Columns;
  series: ChartSeries[];
  format: (v: number) => string;
  theme: Theme;
  /** Fill under a single series. */
  fill?: boolean;
  height?: number;
  label: string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888888';
}

/**
 * A live uPlot time-series chart over the last 15 minutes. React renders it once (and again only when the
 * theme or the set of series changes); new samples go straight to `uplot.setData`, so a snapshot per second
 * costs one canvas redraw and no React work.
 */
export const TimeChart = memo(function TimeChart({
  subscribe,
  data,
  series,
  format,
  theme,
  fill = true,
  height = 190,
  label,
}: TimeChartProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const seriesKey = series.map((s) => `${s.label}:${s.color}`).join('|');

  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const axis = cssVar('--chart-axis');
    const grid = cssVar('--chart-grid');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      legend: { show: series.length > 1, live: true },
      scales: {
        x: {
          time: true,
          range: (_u, _min, max) => {
            const end = max ?? Date.now() / 1000;
            return [end - WINDOW_SEC, end];
          },
        },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
      },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          font: '11px system-ui, sans-serif',
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          size: 58,
          font: '11px system-ui, sans-serif',
          values: (_u, vals) => vals.map((v) => format(v)),
        },
      ],
      series: [
        { value: (_u, v) => (v === null ? '—' : formatTime(v * 1000)) },
        ...series.map((s) => {
          const color = cssVar(s.color);
          return {
            label: s.label,
            stroke: color,
            width: 1.6,
            fill: fill && series.length === 1 ? `${color}1f` : undefined,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
          };
        }),
      ],
    };
    const chart = new uPlot(opts, data() as uPlot.AlignedData, el);
    const unsubscribe = subscribe(() => chart.setData(data() as uPlot.AlignedData));
    const resize =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver((entries) => {
            const w = Math.floor(entries[0]?.contentRect.width ?? 0);
            if (w > 0 && w !== chart.width) chart.setSize({ width: w, height });
          })
        : null;
    resize?.observe(el);
    return () => {
      resize?.disconnect();
      unsubscribe();
      chart.destroy();
    };
    // `series` is represented by seriesKey; `data`/`subscribe`/`format` are stable per chart.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, seriesKey, height, fill]);

  return <div className="chart" ref={host} role="img" aria-label={label} />;
});
