import { randomBytes } from 'node:crypto';
import type { AuditEntry, AuditRow } from './audit-log.js';

/**
 * The longest value each audit field is stored with, in UTF-16 code units (so at most 4x that in UTF-8
 * bytes). Longer values are cut and end in `…`; `detail` is kept as JSON up to AUDIT_MAX_DETAIL_CHARS,
 * past that as `{ truncated: true, preview }`. Enforced in AuditLog itself, so no caller can store more.
 */
export const AUDIT_FIELD_LIMITS = {
  actor: 200,
  appId: 100,
  action: 100,
  target: 512,
  result: 200,
  remoteAddr: 100,
} as const;
export const AUDIT_MAX_DETAIL_CHARS = 8_192;

/** `s` cut to `max` code units, ending in `…` when cut, never splitting a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

function text(v: unknown, fallback: string, max: number): string {
  return clip(typeof v === 'string' ? v : v === undefined || v === null ? fallback : String(v), max);
}

function optionalText(v: unknown, max: number): string | null {
  return v === undefined || v === null ? null : clip(typeof v === 'string' ? v : String(v), max);
}

/** JSON-safe copy of `detail`, bounded in size; unserialisable values become their (bounded) string form. */
function jsonDetail(detail: unknown): unknown {
  if (detail === undefined || detail === null) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(detail);
  } catch {
    json = undefined;
  }
  if (json === undefined) return clip(String(detail), AUDIT_MAX_DETAIL_CHARS);
  if (json.length > AUDIT_MAX_DETAIL_CHARS)
    return { truncated: true, preview: json.slice(0, AUDIT_MAX_DETAIL_CHARS) };
  return JSON.parse(json) as unknown;
}

let lastMs = 0;
let seq = 0;

/** UUIDv7: time-ordered, with a per-millisecond sequence, so `id` breaks `ts` ties in record() order. */
export function timeOrderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An entry as it is stored: every field resolved and bounded, `count` calls (1 unless aggregated). */
export function toRow(e: AuditEntry, count = 1): AuditRow {
  const ts = e.ts instanceof Date && !Number.isNaN(e.ts.getTime()) ? e.ts : new Date();
  const L = AUDIT_FIELD_LIMITS;
  return {
    id: timeOrderedId(),
    ts,
    actor: text(e.actor, 'unknown', L.actor),
    appId: optionalText(e.appId, L.appId),
    action: text(e.action, 'unknown', L.action),
    target: optionalText(e.target, L.target),
    result: text(e.result, 'unknown', L.result),
    remoteAddr: optionalText(e.remoteAddr, L.remoteAddr),
    count,
    detail: jsonDetail(e.detail),
  };
}
