import type { App } from '@beacon/admin-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Ban, CheckCircle2, KeyRound, RefreshCw, Trash2 } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../api/api-context.js';
import { errorMessage } from '../../api/errors.js';
import { APPS_KEY, appKey, appKeysKey } from '../../api/query-keys.js';
import { Button } from '../../ui/button.js';
import { Field, Input } from '../../ui/field.js';
import { Modal } from '../../ui/modal.js';
import { Alert } from '../../ui/states.js';
import { useToast } from '../../ui/toast.js';
import { SecretsDialog, type Revealed } from './secrets-dialog.js';

type Dialog = 'rotate' | 'rotate-token' | 'disable' | 'delete' | null;

/** Typed confirmation: the button works only once the app's key is typed exactly. */
export function DeleteAppDialog({ app, onClose }: { app: App; onClose: () => void }): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const matches = typed === app.key;
  const mutation = useMutation({
    mutationFn: () => client.call('deleteApp', { params: { key: app.key }, body: { confirm: typed } }),
    onSuccess: () => {
      toast.ok(`App ${app.key} deleted`);
      queryClient.removeQueries({ queryKey: appKey(app.key) });
      void queryClient.invalidateQueries({ queryKey: APPS_KEY });
      void navigate('/apps');
    },
  });
  return (
    <Modal
      title={`Delete ${app.name}?`}
      onClose={onClose}
      onSubmit={() => matches && mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="danger" disabled={!matches} busy={mutation.isPending}>
            Delete app
          </Button>
        </>
      }
    >
      <Alert>
        This closes every client of the app with code <code>4003</code>, revokes its keys and deletes its
        settings. It cannot be undone. The audit log keeps its records.
      </Alert>
      <Field label={`Type the app's key, ${app.key}, to confirm`}>
        <Input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          className="input mono"
          autoComplete="off"
          aria-label="Confirm the app key"
        />
      </Field>
      {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Modal>
  );
}

function ConfirmDialog({
  title,
  body,
  confirm,
  danger = false,
  onConfirm,
  onClose,
  busy,
  error,
}: {
  title: string;
  body: ReactNode;
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  busy: boolean;
  error: unknown;
}) {
  return (
    <Modal
      title={title}
      onClose={onClose}
      onSubmit={onConfirm}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={busy}>
            {confirm}
          </Button>
        </>
      }
    >
      <div>{body}</div>
      {error !== null && error !== undefined && <Alert>{errorMessage(error)}</Alert>}
    </Modal>
  );
}

/** An app's admin actions: rotate the push secret or the token key, disable or enable, delete. */
export function AppActions({ app }: { app: App }): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [revealed, setRevealed] = useState<{ title: string; secret: Revealed } | null>(null);
  const close = (): void => setDialog(null);

  const refresh = (next: App): void => {
    queryClient.setQueryData(appKey(app.key), next);
    void queryClient.invalidateQueries({ queryKey: APPS_KEY, exact: true });
    void queryClient.invalidateQueries({ queryKey: appKeysKey(app.key) });
  };

  const rotate = useMutation({
    mutationFn: (which: 'secret' | 'token') =>
      which === 'secret'
        ? client.call('rotateSecret', { params: { key: app.key } })
        : client.call('rotateTokenKey', { params: { key: app.key } }),
    onSuccess: (r, which) => {
      refresh(r.app);
      close();
      setRevealed({
        title: which === 'secret' ? 'New push secret' : 'New token key',
        secret:
          which === 'secret'
            ? {
                label: 'Push API secret',
                kid: r.secret.kid,
                secret: r.secret.secret,
                hint: 'The previous secret no longer works.',
              }
            : {
                label: 'Token key (HS256)',
                kid: r.secret.kid,
                secret: r.secret.secret,
                hint: 'Connections holding tokens of the previous key were closed.',
              },
      });
    },
  });

  const toggle = useMutation({
    mutationFn: () =>
      app.enabled
        ? client.call('disableApp', { params: { key: app.key } })
        : client.call('enableApp', { params: { key: app.key } }),
    onSuccess: (next) => {
      refresh(next);
      close();
      toast.ok(
        next.enabled ? `App ${app.key} enabled` : `App ${app.key} disabled; its clients were closed (4003)`,
      );
    },
    onError: (err) => {
      if (dialog === null) toast.error(errorMessage(err));
    },
  });

  return (
    <>
      <Button icon={<RefreshCw size={15} />} onClick={() => setDialog('rotate')}>
        Rotate secret
      </Button>
      <Button icon={<KeyRound size={15} />} onClick={() => setDialog('rotate-token')}>
        Rotate token key
      </Button>
      {app.enabled ? (
        <Button icon={<Ban size={15} />} onClick={() => setDialog('disable')}>
          Disable
        </Button>
      ) : (
        <Button icon={<CheckCircle2 size={15} />} busy={toggle.isPending} onClick={() => toggle.mutate()}>
          Enable
        </Button>
      )}
      <Button variant="danger" icon={<Trash2 size={15} />} onClick={() => setDialog('delete')}>
        Delete
      </Button>

      {dialog === 'rotate' && (
        <ConfirmDialog
          title="Rotate the push secret?"
          body="A new secret is issued and shown once. The current secret stops working at once: update your backends right after."
          confirm="Rotate secret"
          onConfirm={() => rotate.mutate('secret')}
          onClose={close}
          busy={rotate.isPending}
          error={rotate.error}
        />
      )}
      {dialog === 'rotate-token' && (
        <ConfirmDialog
          title="Rotate the token key?"
          body="A new HS256 key is issued and shown once. Connections whose token was signed with the current key are closed."
          confirm="Rotate token key"
          onConfirm={() => rotate.mutate('token')}
          onClose={close}
          busy={rotate.isPending}
          error={rotate.error}
        />
      )}
      {dialog === 'disable' && (
        <ConfirmDialog
          title={`Disable ${app.name}?`}
          body={
            <>
              Every client of the app is closed with code <code>4003</code> across the platform, new
              connections and publishes are refused until it is enabled again.
            </>
          }
          confirm="Disable app"
          danger
          onConfirm={() => toggle.mutate()}
          onClose={close}
          busy={toggle.isPending}
          error={toggle.error}
        />
      )}
      {dialog === 'delete' && <DeleteAppDialog app={app} onClose={close} />}
      {revealed !== null && (
        <SecretsDialog
          title={revealed.title}
          intro={
            <>
              For app <code>{app.key}</code>.
            </>
          }
          secrets={[revealed.secret]}
          onDone={() => setRevealed(null)}
        />
      )}
    </>
  );
}
