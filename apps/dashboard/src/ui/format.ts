/**
 * Number, size, rate, duration and time formatting for every page: compact and locale-aware
 * (1.2k, 3.4 MB/s, 2d 4h, local times). Sizes use SI units (1 kB = 1000 B), as network rates do.
 */

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** Exact below 10,000 ("9,950"), compact above ("12K", "3.4M"). */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.abs(n) < 10_000 ? integer.format(n) : compact.format(n);
}

/** A per-second rate: "0", "0.4/s", "12/s", "1.2K/s". */
export function formatRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n === 0) return '0/s';
  if (Math.abs(n) < 10) return `${oneDecimal.format(n)}/s`;
  return `${Math.abs(n) < 1000 ? integer.format(n) : compact.format(n)}/s`;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 512 → "512 B", 3_400_000 → "3.4 MB". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  const sign = n < 0 ? '-' : '';
  return `${sign}${i === 0 ? integer.format(v) : v < 100 ? oneDecimal.format(v) : integer.format(v)} ${UNITS[i]}`;
}

export function formatByteRate(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${formatBytes(n)}/s`;
}

/** Milliseconds as the two largest units: "3d 4h", "5h 12m", "4m 10s", "12s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 10 ? `${oneDecimal.format(ms)} ms` : `${integer.format(ms)} ms`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const shortSameYear = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const shortOtherYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** A compact local date and time for tables: "Dec 2, 09:11:14 PM", with the year only when it differs. */
export function formatShortDateTime(
  t: string | number | Date | null | undefined,
  now: Date = new Date(),
): string {
  if (t === null || t === undefined) return '—';
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return '—';
  return d.getFullYear() === now.getFullYear() ? shortSameYear.format(d) : shortOtherYear.format(d);
}

const timeOnly = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function toDate(t: string | number | Date): Date {
  return t instanceof Date ? t : new Date(t);
}

/** A local date and time ("Dec 2, 2026, 14:03:12"). */
export function formatDateTime(t: string | number | Date | null | undefined): string {
  if (t === null || t === undefined) return '—';
  const d = toDate(t);
  return Number.isNaN(d.getTime()) ? '—' : dateTime.format(d);
}

export function formatTime(t: string | number | Date): string {
  const d = toDate(t);
  return Number.isNaN(d.getTime()) ? '—' : timeOnly.format(d);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** "12 sec. ago", "3 hr. ago", "in 5 min." relative to `now`. */
export function formatRelative(t: string | number | Date, now: number = Date.now()): string {
  const d = toDate(t).getTime();
  if (Number.isNaN(d)) return '—';
  const diff = (d - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 60) return relative.format(Math.round(diff), 'second');
  if (abs < 3600) return relative.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(diff / 3600), 'hour');
  return relative.format(Math.round(diff / 86_400), 'day');
}
