import { KeyRound } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Button } from '../../ui/button.js';
import { SecretValue } from '../../ui/copy-button.js';
import { Checkbox } from '../../ui/field.js';
import { Modal } from '../../ui/modal.js';
import { Alert } from '../../ui/states.js';

export interface Revealed {
  label: string;
  kid: string;
  secret: string;
  hint: string;
}

/**
 * Shows secrets the server reveals exactly once (a new app's push secret and token key, a rotation's new
 * secret). It cannot be dismissed by accident: the operator confirms they stored them; afterwards the values
 * are gone from the page (nothing keeps them).
 */
export function SecretsDialog({
  title,
  intro,
  secrets,
  onDone,
}: {
  title: string;
  intro: ReactNode;
  secrets: Revealed[];
  onDone: () => void;
}): ReactNode {
  const [stored, setStored] = useState(false);
  return (
    <Modal
      title={title}
      onClose={onDone}
      locked
      wide
      footer={
        <Button variant="primary" disabled={!stored} onClick={onDone} data-autofocus>
          Done
        </Button>
      }
    >
      <Alert tone="warn" icon={<KeyRound size={16} aria-hidden />}>
        <strong>Shown only once.</strong> Copy {secrets.length > 1 ? 'these values' : 'this value'} now and
        keep {secrets.length > 1 ? 'them' : 'it'} in your secret store: Beacon keeps only a hash and cannot
        show {secrets.length > 1 ? 'them' : 'it'} again.
      </Alert>
      <div>{intro}</div>
      {secrets.map((s) => (
        <SecretValue key={s.kid} label={`${s.label} (${s.kid})`} value={s.secret} hint={s.hint} />
      ))}
      <Checkbox label="I have stored the secret values" checked={stored} onChange={setStored} />
    </Modal>
  );
}
