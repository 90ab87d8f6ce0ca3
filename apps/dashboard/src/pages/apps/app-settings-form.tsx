import type { App, AppSettings } from '@beacon/admin-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Save } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { errorMessage } from '../../api/errors.js';
import { APPS_KEY, appKey } from '../../api/query-keys.js';
import { Button } from '../../ui/button.js';
import { Card } from '../../ui/card.js';
import { Checkbox, Field, Input } from '../../ui/field.js';
import { Alert } from '../../ui/states.js';
import { useToast } from '../../ui/toast.js';

type Override =
  'publishRate' | 'publishBurst' | 'maxTopicsPerConnection' | 'maxMessageBytes' | 'maxTokenLifetimeSec';

const OVERRIDES: Array<{ key: Override; label: string; hint: string; min: number }> = [
  { key: 'publishRate', label: 'Client publish rate', hint: 'Publishes per second per connection', min: 1 },
  { key: 'publishBurst', label: 'Client publish burst', hint: 'Publishes allowed at once', min: 1 },
  {
    key: 'maxTopicsPerConnection',
    label: 'Topics per connection',
    hint: 'Subscriptions one connection may hold',
    min: 1,
  },
  { key: 'maxMessageBytes', label: 'Largest message', hint: 'Bytes of data once serialised', min: 16 },
  {
    key: 'maxTokenLifetimeSec',
    label: 'Longest token lifetime',
    hint: 'Seconds between a token’s iat and exp',
    min: 1,
  },
];

interface Draft {
  name: string;
  allowAnonymous: boolean;
  clientPublish: boolean;
  maxConnections: string;
  overrides: Record<Override, string>;
}

function draftOf(app: App): Draft {
  const s = app.settings;
  return {
    name: app.name,
    allowAnonymous: s.allowAnonymous,
    clientPublish: s.clientPublish,
    maxConnections: String(s.maxConnections),
    overrides: Object.fromEntries(
      OVERRIDES.map((o) => [o.key, s[o.key] === null ? '' : String(s[o.key])]),
    ) as Record<Override, string>,
  };
}

const intOrNull = (v: string): number | null => (v.trim() === '' ? null : Number(v));

/** The fields that differ from the app (a PATCH sends only these), or the first invalid field. */
function diff(
  app: App,
  d: Draft,
): { patch: { name?: string; settings?: Partial<AppSettings> }; invalid: string | null } {
  const settings: Partial<AppSettings> = {};
  const s = app.settings;
  if (d.allowAnonymous !== s.allowAnonymous) settings.allowAnonymous = d.allowAnonymous;
  if (d.clientPublish !== s.clientPublish) settings.clientPublish = d.clientPublish;
  const max = Number(d.maxConnections);
  if (d.maxConnections.trim() === '' || !Number.isInteger(max) || max < 0)
    return { patch: {}, invalid: 'Max connections must be a whole number, 0 or more.' };
  if (max !== s.maxConnections) settings.maxConnections = max;
  for (const o of OVERRIDES) {
    const v = intOrNull(d.overrides[o.key]);
    if (v !== null && (!Number.isInteger(v) || v < o.min))
      return {
        patch: {},
        invalid: `${o.label} must be a whole number of at least ${o.min}, or empty for the default.`,
      };
    if (v !== s[o.key]) settings[o.key] = v;
  }
  const name = d.name.trim();
  if (name === '') return { patch: {}, invalid: 'The name cannot be empty.' };
  return {
    patch: { ...(name !== app.name && { name }), ...(Object.keys(settings).length > 0 && { settings }) },
    invalid: null,
  };
}

/** An app's name, client access and per-app limit overrides; read-only for viewers. */
export function AppSettingsForm({ app, editable }: { app: App; editable: boolean }): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [base, setBase] = useState(app);
  const [draft, setDraft] = useState(() => draftOf(app));
  if (base !== app) {
    // the app changed on the server (another action, a refetch): start over from it
    setBase(app);
    setDraft(draftOf(app));
  }
  const { patch, invalid } = diff(app, draft);
  const dirty = Object.keys(patch).length > 0;

  const mutation = useMutation({
    mutationFn: () => client.call('updateApp', { params: { key: app.key }, body: patch }),
    onSuccess: (next) => {
      queryClient.setQueryData(appKey(app.key), next);
      void queryClient.invalidateQueries({ queryKey: APPS_KEY, exact: true });
      toast.ok('Settings saved');
    },
  });

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (editable && dirty && invalid === null) mutation.mutate();
  };
  const set = (p: Partial<Draft>): void => setDraft((d) => ({ ...d, ...p }));

  return (
    <Card title="Settings" sub={editable ? undefined : 'read only'}>
      <form onSubmit={submit} className="stack">
        <div className="form-grid">
          <Field label="Name">
            <Input
              value={draft.name}
              disabled={!editable}
              onChange={(e) => set({ name: e.target.value })}
              maxLength={200}
            />
          </Field>
          <Field label="Max connections" hint="Open connections allowed for the app (0 refuses all).">
            <Input
              type="number"
              min={0}
              value={draft.maxConnections}
              disabled={!editable}
              onChange={(e) => set({ maxConnections: e.target.value })}
            />
          </Field>
          <Checkbox
            label="Allow anonymous clients"
            hint="Connect without a token"
            checked={draft.allowAnonymous}
            disabled={!editable}
            onChange={(v) => set({ allowAnonymous: v })}
          />
          <Checkbox
            label="Allow client publish"
            hint="Clients may publish where their token allows"
            checked={draft.clientPublish}
            disabled={!editable}
            onChange={(v) => set({ clientPublish: v })}
          />
        </div>
        <div>
          <h3 style={{ marginBottom: 4 }}>Limit overrides</h3>
          <p className="faint" style={{ margin: '0 0 12px', fontSize: 13 }}>
            Empty fields use the platform-wide setting (docs/configuration.md).
          </p>
          <div className="form-grid">
            {OVERRIDES.map((o) => (
              <Field key={o.key} label={o.label} hint={o.hint}>
                <Input
                  type="number"
                  min={o.min}
                  placeholder="platform default"
                  value={draft.overrides[o.key]}
                  disabled={!editable}
                  onChange={(e) => set({ overrides: { ...draft.overrides, [o.key]: e.target.value } })}
                />
              </Field>
            ))}
          </div>
        </div>
        {editable && invalid !== null && <Alert tone="warn">{invalid}</Alert>}
        {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
        {editable && (
          <div className="form-actions">
            <Button disabled={!dirty} onClick={() => setDraft(draftOf(app))}>
              Discard changes
            </Button>
            <Button
              type="submit"
              variant="primary"
              icon={<Save size={15} />}
              disabled={!dirty || invalid !== null}
              busy={mutation.isPending}
            >
              Save settings
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
