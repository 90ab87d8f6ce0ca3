import type { ReactNode } from 'react';
import { useApps } from '../api/use-apps.js';
import { Field, Select } from './field.js';

/** A filter by app (its key); '' is every app. */
export function AppSelect({
  value,
  onChange,
}: {
  value: string;
  onChange: (key: string) => void;
}): ReactNode {
  const apps = useApps();
  return (
    <Field label="App">
      <Select value={value} onChange={(e) => onChange(e.target.value)} aria-label="App">
        <option value="">All apps</option>
        {apps.data?.items.map((a) => (
          <option key={a.id} value={a.key}>
            {a.name === a.key ? a.key : `${a.key} — ${a.name}`}
          </option>
        ))}
      </Select>
    </Field>
  );
}
