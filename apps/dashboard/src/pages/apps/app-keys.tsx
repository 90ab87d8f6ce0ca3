import type { AppKey } from '@beacon/admin-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeySquare, Plus } from 'lucide-react';
import { useMemo, useState, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { errorMessage } from '../../api/errors.js';
import { appKeysKey } from '../../api/query-keys.js';
import { Badge } from '../../ui/badge.js';
import { Button } from '../../ui/button.js';
import { Card } from '../../ui/card.js';
import { columnsFor, DataTable } from '../../ui/data-table.js';
import { Field, Input, Select, TextArea } from '../../ui/field.js';
import { Modal } from '../../ui/modal.js';
import { Alert, EmptyState } from '../../ui/states.js';
import { LocalTime } from '../../ui/time.js';
import { useToast } from '../../ui/toast.js';

const KIND: Record<AppKey['kind'], string> = {
  push_secret: 'Push API secret',
  token_hmac: 'Token key (HMAC)',
  token_public: 'Token public key',
};
const NO_KEYS: AppKey[] = [];
const KID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function AddKeyDialog({ appKeyName, onClose }: { appKeyName: string; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [alg, setAlg] = useState<'ES256' | 'EdDSA' | 'RS256'>('ES256');
  const [kid, setKid] = useState('');
  const [pem, setPem] = useState('');
  const pemOk = pem.includes('-----BEGIN PUBLIC KEY-----') && pem.includes('-----END PUBLIC KEY-----');
  const kidOk = kid === '' || KID_RE.test(kid);
  const mutation = useMutation({
    mutationFn: () =>
      client.call('addPublicKey', {
        params: { key: appKeyName },
        body: { alg, publicKey: pem.trim(), ...(kid !== '' && { kid }) },
      }),
    onSuccess: (k) => {
      void queryClient.invalidateQueries({ queryKey: appKeysKey(appKeyName) });
      toast.ok(`Public key ${k.kid} added`);
      onClose();
    },
  });
  return (
    <Modal
      title="Add a public key"
      wide
      onClose={onClose}
      onSubmit={() => pemOk && kidOk && mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!pemOk || !kidOk} busy={mutation.isPending}>
            Add key
          </Button>
        </>
      }
    >
      <p className="muted" style={{ margin: 0 }}>
        Client tokens signed with the matching private key are accepted. Only the public key is sent to
        Beacon.
      </p>
      <div className="form-grid">
        <Field label="Algorithm">
          <Select value={alg} onChange={(e) => setAlg(e.target.value as typeof alg)}>
            <option value="ES256">ES256 (P-256)</option>
            <option value="EdDSA">EdDSA (Ed25519)</option>
            <option value="RS256">RS256 (RSA)</option>
          </Select>
        </Field>
        <Field
          label="Key id (kid)"
          hint={kidOk ? 'Optional; generated when empty.' : 'Letters, digits, . _ -; up to 64.'}
        >
          <Input
            value={kid}
            onChange={(e) => setKid(e.target.value)}
            className="input mono"
            aria-invalid={!kidOk}
          />
        </Field>
      </div>
      <Field label="Public key (SPKI PEM)">
        <TextArea
          value={pem}
          onChange={(e) => setPem(e.target.value)}
          placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'}
          rows={7}
          spellCheck={false}
        />
      </Field>
      {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Modal>
  );
}

function RevokeDialog({ appKeyName, k, onClose }: { appKeyName: string; k: AppKey; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const mutation = useMutation({
    mutationFn: () => client.call('revokeKey', { params: { key: appKeyName, kid: k.kid } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: appKeysKey(appKeyName) });
      toast.ok(`Key ${k.kid} revoked`);
      onClose();
    },
  });
  return (
    <Modal
      title={`Revoke ${k.kid}?`}
      onClose={onClose}
      onSubmit={() => mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="danger" busy={mutation.isPending}>
            Revoke key
          </Button>
        </>
      }
    >
      <p style={{ margin: 0 }}>
        Connections whose token this key signed are closed, and new tokens signed with it are refused.
      </p>
      {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Modal>
  );
}

function keyColumns(editable: boolean, setRevoking: (k: AppKey) => void) {
  const col = columnsFor<AppKey>();
  return col.columns([
    col.accessor('kid', { header: 'Key id', cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('kind', { header: 'Kind', cell: (c) => KIND[c.getValue()] }),
    col.accessor('alg', {
      header: 'Algorithm',
      cell: (c) => c.getValue() ?? <span className="faint">—</span>,
    }),
    col.accessor('createdAt', { header: 'Created', cell: (c) => <LocalTime value={c.getValue()} compact /> }),
    col.accessor('revokedAt', {
      header: 'Status',
      cell: (c) =>
        c.getValue() === null ? (
          <Badge tone="ok" dot>
            active
          </Badge>
        ) : (
          <Badge title={`revoked ${new Date(c.getValue() ?? '').toLocaleString()}`}>revoked</Badge>
        ),
    }),
    col.display({
      id: 'actions',
      header: '',
      meta: { align: 'end' },
      cell: (c) => {
        const k = c.row.original;
        if (!editable || k.revokedAt !== null) return null;
        // The active push secret cannot be revoked alone (the API answers 409): rotating replaces it.
        if (k.kind === 'push_secret')
          return (
            <span className="faint" title="A push secret is replaced by rotating it, never revoked alone">
              replace with Rotate secret
            </span>
          );
        return (
          <Button size="sm" variant="ghost" onClick={() => setRevoking(k)}>
            Revoke
          </Button>
        );
      },
    }),
  ]);
}

/** An app's credentials (never the secrets): push secrets, token keys, public keys; admins add and revoke. */
export function AppKeys({ appKeyName, editable }: { appKeyName: string; editable: boolean }): ReactNode {
  const client = useClient();
  const [adding, setAdding] = useState(false);
  const [revoking, setRevoking] = useState<AppKey | null>(null);
  const keys = useQuery({
    queryKey: appKeysKey(appKeyName),
    queryFn: () => client.call('appKeys', { params: { key: appKeyName } }),
  });
  const columns = useMemo(() => keyColumns(editable, setRevoking), [editable]);
  return (
    <Card
      title="Keys"
      flush
      actions={
        editable && (
          <Button size="sm" icon={<Plus size={14} />} onClick={() => setAdding(true)}>
            Add public key
          </Button>
        )
      }
    >
      <DataTable
        label="Keys"
        columns={columns}
        data={keys.data?.items ?? NO_KEYS}
        getRowId={(k) => k.kid}
        loading={keys.isPending}
        error={keys.error}
        onRetry={() => void keys.refetch()}
        skeletonRows={3}
        empty={
          <EmptyState icon={<KeySquare size={22} />} title="No keys">
            This app has no credentials.
          </EmptyState>
        }
      />
      {adding && <AddKeyDialog appKeyName={appKeyName} onClose={() => setAdding(false)} />}
      {revoking !== null && (
        <RevokeDialog appKeyName={appKeyName} k={revoking} onClose={() => setRevoking(null)} />
      )}
    </Card>
  );
}
