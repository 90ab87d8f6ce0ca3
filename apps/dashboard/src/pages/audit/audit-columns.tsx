import type { AuditRecord } from '@beacon/admin-api';
import { Badge, type Tone } from '../../ui/badge.js';
import { columnsFor } from '../../ui/data-table.js';
import { formatCount } from '../../ui/format.js';
import { LocalTime } from '../../ui/time.js';

/** ok/2xx are successes; 4xx refusals; 5xx failures. */
export function resultTone(result: string): Tone {
  if (result === 'ok' || /^2\d\d\b/.test(result)) return 'ok';
  if (/^5\d\d\b/.test(result) || result === 'error') return 'danger';
  return 'warn';
}

export function ResultBadge({ result }: { result: string }) {
  return <Badge tone={resultTone(result)}>{result}</Badge>;
}

const col = columnsFor<AuditRecord>();

/** `appName` maps an app id to its key for display. */
export function auditColumns(appName: (id: string) => string) {
  return col.columns([
    col.accessor('ts', { header: 'Time', cell: (c) => <LocalTime value={c.getValue()} compact /> }),
    col.accessor('actor', {
      header: 'Actor',
      cell: (c) => {
        const id = c.row.original.appId;
        const key = id === null ? null : appName(id);
        return (
          <div>
            <div>{c.getValue()}</div>
            {key !== null && c.getValue() !== `app:${key}` && (
              <div className="faint" style={{ fontSize: 12 }}>
                app {key}
              </div>
            )}
          </div>
        );
      },
    }),
    col.accessor('action', { header: 'Action', cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('target', {
      header: 'Target',
      cell: (c) =>
        c.getValue() === null ? (
          <span className="faint">—</span>
        ) : (
          <span
            className="mono ellipsis"
            style={{ display: 'inline-block', maxWidth: 220 }}
            title={c.getValue() ?? ''}
          >
            {c.getValue()}
          </span>
        ),
    }),
    col.accessor('result', { header: 'Result', cell: (c) => <ResultBadge result={c.getValue()} /> }),
    col.accessor('count', {
      header: 'Count',
      meta: { align: 'end' },
      cell: (c) =>
        c.getValue() > 1 ? <span title="identical events aggregated">×{formatCount(c.getValue())}</span> : '',
    }),
  ]);
}
