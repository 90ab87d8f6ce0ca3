import type { CreatedApp } from '@beacon/admin-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { errorMessage } from '../../api/errors.js';
import { APPS_KEY } from '../../api/query-keys.js';
import { Button } from '../../ui/button.js';
import { Checkbox, Field, Input } from '../../ui/field.js';
import { Modal } from '../../ui/modal.js';
import { Alert } from '../../ui/states.js';
import { SecretsDialog } from './secrets-dialog.js';

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/;

/** Create an app, then show its push secret and token key once. */
export function CreateAppDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (key: string) => void;
}): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [clientPublish, setClientPublish] = useState(false);
  const [created, setCreated] = useState<CreatedApp | null>(null);
  const keyOk = key === '' || KEY_RE.test(key);

  const mutation = useMutation({
    mutationFn: () =>
      client.call('createApp', {
        body: {
          name: name.trim(),
          ...(key !== '' && { key }),
          settings: { allowAnonymous: anonymous, clientPublish },
        },
      }),
    onSuccess: (c) => {
      setCreated(c);
      void queryClient.invalidateQueries({ queryKey: APPS_KEY });
    },
  });

  if (created !== null) {
    return (
      <SecretsDialog
        title={`App ${created.app.key} created`}
        intro={
          <>
            Backends publish with the <strong>push secret</strong> (<code>Authorization: Bearer …</code>);
            your servers sign client tokens (HS256) with the <strong>token key</strong>.
          </>
        }
        secrets={[
          {
            label: 'Push API secret',
            kid: created.secret.kid,
            secret: created.secret.secret,
            hint: 'For the REST and gRPC push API.',
          },
          {
            label: 'Token key (HS256)',
            kid: created.tokenKey.kid,
            secret: created.tokenKey.secret,
            hint: 'Signs client connection tokens.',
          },
        ]}
        onDone={() => onCreated(created.app.key)}
      />
    );
  }

  return (
    <Modal
      title="Create an app"
      onClose={onClose}
      onSubmit={() => {
        if (name.trim() !== '' && keyOk) mutation.mutate();
      }}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            busy={mutation.isPending}
            disabled={name.trim() === '' || !keyOk}
          >
            Create app
          </Button>
        </>
      }
    >
      <Field label="Name">
        <Input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Chat (production)"
          maxLength={200}
        />
      </Field>
      <Field
        label="Key"
        hint={
          keyOk
            ? 'Clients connect with ?app=<key>. Leave empty to generate one.'
            : 'Letters, digits, - and _; 2 to 64 characters.'
        }
      >
        <Input
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="chat-prod"
          className="input mono"
          aria-invalid={!keyOk}
        />
      </Field>
      <Checkbox
        label="Allow anonymous clients"
        hint="Clients may connect without a token."
        checked={anonymous}
        onChange={setAnonymous}
      />
      <Checkbox
        label="Allow client publish"
        hint="Clients may publish to topics their token allows."
        checked={clientPublish}
        onChange={setClientPublish}
      />
      {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Modal>
  );
}
