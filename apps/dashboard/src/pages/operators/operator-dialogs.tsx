import { AdminApiError, type CreatedOperator, type Operator, type OperatorRole } from '@beacon/admin-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ShieldAlert } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { errorMessage } from '../../api/errors.js';
import { OPERATORS_KEY } from '../../api/query-keys.js';
import { Button } from '../../ui/button.js';
import { SecretValue } from '../../ui/copy-button.js';
import { Field, Input, Select } from '../../ui/field.js';
import { Modal } from '../../ui/modal.js';
import { Alert } from '../../ui/states.js';
import { useToast } from '../../ui/toast.js';

/** The server's refusal to leave the platform without an enabled admin, said plainly. */
export function OperatorError({ error }: { error: unknown }): ReactNode {
  if (error instanceof AdminApiError && error.code === 'last_admin') {
    return (
      <Alert icon={<ShieldAlert size={16} aria-hidden />}>
        <strong>Refused: this is the last enabled admin.</strong> The platform must keep at least one enabled
        admin. Make another operator an admin first.
      </Alert>
    );
  }
  return <Alert>{errorMessage(error)}</Alert>;
}

export function CreateOperatorDialog({ onClose }: { onClose: () => void }): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OperatorRole>('viewer');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<CreatedOperator | null>(null);
  const passwordOk = password === '' || password.length >= 12;
  const emailOk = /^[^\s@]+@[^\s@]+$/.test(email.trim());
  const mutation = useMutation({
    mutationFn: () =>
      client.call('createOperator', {
        body: { email: email.trim(), role, ...(password !== '' && { password }) },
      }),
    onSuccess: (c) => {
      setCreated(c);
      void queryClient.invalidateQueries({ queryKey: OPERATORS_KEY });
    },
  });

  if (created !== null) {
    return (
      <Modal
        title={`Operator ${created.operator.email} created`}
        onClose={onClose}
        locked={created.password !== undefined}
        footer={
          <Button variant="primary" onClick={onClose} data-autofocus>
            Done
          </Button>
        }
      >
        {created.password !== undefined ? (
          <>
            <Alert tone="warn">
              <strong>Shown only once.</strong> Give this password to the operator over a safe channel; Beacon
              keeps only its hash.
            </Alert>
            <SecretValue label="Generated password" value={created.password} />
          </>
        ) : (
          <p style={{ margin: 0 }}>They can sign in with the password you chose.</p>
        )}
      </Modal>
    );
  }

  return (
    <Modal
      title="Create an operator"
      onClose={onClose}
      onSubmit={() => emailOk && passwordOk && mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={!emailOk || !passwordOk}
            busy={mutation.isPending}
          >
            Create operator
          </Button>
        </>
      }
    >
      <Field label="Email">
        <Input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Role" hint="Viewers see everything and change nothing.">
        <Select value={role} onChange={(e) => setRole(e.target.value as OperatorRole)}>
          <option value="viewer">Viewer (read only)</option>
          <option value="admin">Admin</option>
        </Select>
      </Field>
      <Field
        label="Password"
        hint={passwordOk ? 'Leave empty to generate one (shown once).' : 'At least 12 characters.'}
      >
        <Input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          aria-invalid={!passwordOk}
        />
      </Field>
      {mutation.isError && <OperatorError error={mutation.error} />}
    </Modal>
  );
}

export type OperatorChange = { role: OperatorRole } | { disabled: boolean };

export function ChangeOperatorDialog({
  operator,
  change,
  onClose,
}: {
  operator: Operator;
  change: OperatorChange;
  onClose: () => void;
}): ReactNode {
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const mutation = useMutation({
    mutationFn: () => client.call('updateOperator', { params: { id: operator.id }, body: change }),
    onSuccess: (o) => {
      void queryClient.invalidateQueries({ queryKey: OPERATORS_KEY });
      toast.ok(`${o.email}: ${'role' in change ? `now ${o.role}` : o.disabled ? 'disabled' : 'enabled'}`);
      onClose();
    },
  });
  const title =
    'role' in change
      ? `Make ${operator.email} ${change.role === 'admin' ? 'an admin' : 'a viewer'}?`
      : change.disabled
        ? `Disable ${operator.email}?`
        : `Enable ${operator.email}?`;
  const body =
    'role' in change
      ? change.role === 'admin'
        ? 'Admins can change apps, keys, connections and operators.'
        : 'Viewers see everything and change nothing.'
      : change.disabled
        ? 'Their sessions end at once and they cannot sign in until enabled again.'
        : 'They can sign in again.';
  return (
    <Modal
      title={title}
      onClose={onClose}
      onSubmit={() => mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant={'disabled' in change && change.disabled ? 'danger' : 'primary'}
            busy={mutation.isPending}
          >
            {'role' in change ? 'Change role' : change.disabled ? 'Disable' : 'Enable'}
          </Button>
        </>
      }
    >
      <p style={{ margin: 0 }}>{body}</p>
      {mutation.isError && <OperatorError error={mutation.error} />}
    </Modal>
  );
}
