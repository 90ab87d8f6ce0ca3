import type { ReactNode } from 'react';
import { formatDateTime, formatRelative, formatShortDateTime } from './format.js';

/**
 * A local date and time, with the exact ISO time on hover; `relative` shows "3 min ago" instead, `compact`
 * the short form for tables.
 */
export function LocalTime({
  value,
  relative = false,
  compact = false,
}: {
  value: string | number | null | undefined;
  relative?: boolean;
  compact?: boolean;
}): ReactNode {
  if (value === null || value === undefined) return <span className="faint">—</span>;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span className="faint">—</span>;
  return (
    <time
      dateTime={d.toISOString()}
      title={relative ? formatDateTime(d) : d.toISOString()}
      className="nowrap"
    >
      {relative ? formatRelative(d) : compact ? formatShortDateTime(d) : formatDateTime(d)}
    </time>
  );
}
