import { ADMIN_ROUTES } from '@beacon/admin-api';
import type { ReactNode } from 'react';
import { AppSelect } from '../../ui/app-select.js';
import { Field, Input, Select } from '../../ui/field.js';

/** Audit actions the admin API writes, for the action filter's suggestions (the push API's are added there). */
export const KNOWN_ACTIONS: string[] = [
  ...new Set([
    ...Object.values(ADMIN_ROUTES).flatMap((r) =>
      'audit' in r && typeof r.audit === 'string' ? [r.audit] : [],
    ),
    'publish',
    'user.send',
    'user.presence',
    'user.disconnect',
    'client.send',
    'client.disconnect',
    'topics.list',
    'topics.subscribers',
  ]),
].sort();

export type RangePreset = '15m' | '1h' | '24h' | '7d' | 'all' | 'custom';

export const RANGE_MS: Record<Exclude<RangePreset, 'all' | 'custom'>, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

export interface AuditFilterValues {
  actor: string;
  app: string;
  action: string;
  result: string;
  range: string;
  from: string;
  to: string;
}

/** `datetime-local` value (local time, minutes) ↔ ISO. */
export function toLocalInput(iso: string): string {
  if (iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(v: string): string {
  if (v === '') return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function AuditFilters({
  values,
  actorInput,
  onActorInput,
  onChange,
}: {
  values: AuditFilterValues;
  actorInput: string;
  onActorInput: (v: string) => void;
  onChange: (patch: Partial<AuditFilterValues>) => void;
}): ReactNode {
  const range = (values.range || 'all') as RangePreset;
  return (
    <div className="filters">
      <Field label="Actor" className="wide">
        <Input
          value={actorInput}
          onChange={(e) => onActorInput(e.target.value)}
          placeholder="operator:admin@localhost, app:dev"
          list="audit-actors"
          aria-label="Actor"
        />
      </Field>
      <AppSelect value={values.app} onChange={(app) => onChange({ app })} />
      <Field label="Action">
        <Select
          value={values.action}
          onChange={(e) => onChange({ action: e.target.value })}
          aria-label="Action"
        >
          <option value="">Any action</option>
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
          {values.action !== '' && !KNOWN_ACTIONS.includes(values.action) && (
            <option value={values.action}>{values.action}</option>
          )}
        </Select>
      </Field>
      <Field label="Result">
        <Select
          value={values.result}
          onChange={(e) => onChange({ result: e.target.value })}
          aria-label="Result"
        >
          <option value="">Any result</option>
          <option value="ok">Succeeded</option>
          <option value="refused">Refused</option>
        </Select>
      </Field>
      <Field label="Time range">
        <Select
          value={range}
          onChange={(e) =>
            onChange({ range: e.target.value === 'all' ? '' : e.target.value, from: '', to: '' })
          }
          aria-label="Time range"
        >
          <option value="15m">Last 15 minutes</option>
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="all">All time</option>
          <option value="custom">Custom…</option>
        </Select>
      </Field>
      {range === 'custom' && (
        <>
          <Field label="From">
            <Input
              type="datetime-local"
              value={toLocalInput(values.from)}
              onChange={(e) => onChange({ from: fromLocalInput(e.target.value) })}
              aria-label="From"
            />
          </Field>
          <Field label="To">
            <Input
              type="datetime-local"
              value={toLocalInput(values.to)}
              onChange={(e) => onChange({ to: fromLocalInput(e.target.value) })}
              aria-label="To"
            />
          </Field>
        </>
      )}
    </div>
  );
}
