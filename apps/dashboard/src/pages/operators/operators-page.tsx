import type { Operator } from '@beacon/admin-api';
import { useQuery } from '@tanstack/react-query';
import { Lock, Plus, Users } from 'lucide-react';
import { useMemo, useState, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { OPERATORS_KEY } from '../../api/query-keys.js';
import { useIsAdmin, useOperator } from '../../auth/session.js';
import { Badge } from '../../ui/badge.js';
import { Button } from '../../ui/button.js';
import { Card } from '../../ui/card.js';
import { columnsFor, DataTable } from '../../ui/data-table.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState } from '../../ui/states.js';
import { LocalTime } from '../../ui/time.js';
import { ChangeOperatorDialog, CreateOperatorDialog, type OperatorChange } from './operator-dialogs.js';

const NO_ROWS: Operator[] = [];

function operatorColumns(meId: string, ask: (o: Operator, c: OperatorChange) => void) {
  const col = columnsFor<Operator>();
  return col.columns([
    col.accessor('email', {
      header: 'Operator',
      cell: (c) => (
        <span style={{ fontWeight: 500 }}>
          {c.getValue()} {c.row.original.id === meId && <Badge>you</Badge>}
        </span>
      ),
    }),
    col.accessor('role', {
      header: 'Role',
      cell: (c) => <Badge tone={c.getValue() === 'admin' ? 'accent' : 'neutral'}>{c.getValue()}</Badge>,
    }),
    col.accessor('disabled', {
      header: 'Status',
      cell: (c) =>
        c.getValue() ? (
          <Badge tone="danger" dot>
            disabled
          </Badge>
        ) : (
          <Badge tone="ok" dot>
            active
          </Badge>
        ),
    }),
    col.accessor('lastSignInAt', {
      header: 'Last sign-in',
      cell: (c) => <LocalTime value={c.getValue()} relative />,
    }),
    col.accessor('createdAt', { header: 'Created', cell: (c) => <LocalTime value={c.getValue()} compact /> }),
    col.display({
      id: 'actions',
      header: '',
      meta: { align: 'end' },
      cell: (c) => {
        const o = c.row.original;
        return (
          <div className="row" style={{ justifyContent: 'flex-end', gap: 6 }}>
            <Button size="sm" onClick={() => ask(o, { role: o.role === 'admin' ? 'viewer' : 'admin' })}>
              {o.role === 'admin' ? 'Make viewer' : 'Make admin'}
            </Button>
            <Button
              size="sm"
              variant={o.disabled ? 'secondary' : 'ghost'}
              onClick={() => ask(o, { disabled: !o.disabled })}
            >
              {o.disabled ? 'Enable' : 'Disable'}
            </Button>
          </div>
        );
      },
    }),
  ]);
}

/** Who can sign in, and as what (admins only). */
export function OperatorsPage(): ReactNode {
  const isAdmin = useIsAdmin();
  if (!isAdmin) {
    return (
      <>
        <PageHeader title="Operators" />
        <div className="card">
          <EmptyState icon={<Lock size={22} />} title="Admins only">
            Managing operators needs the admin role. Ask an admin of this platform.
          </EmptyState>
        </div>
      </>
    );
  }
  return <OperatorsList />;
}

function OperatorsList(): ReactNode {
  const client = useClient();
  const me = useOperator();
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<{ o: Operator; c: OperatorChange } | null>(null);
  const ops = useQuery({ queryKey: OPERATORS_KEY, queryFn: () => client.call('operators') });
  const columns = useMemo(() => operatorColumns(me.id, (o, c) => setPending({ o, c })), [me.id]);
  return (
    <>
      <PageHeader
        title="Operators"
        description="People who can sign in to this console. Admins change things; viewers only look."
        actions={
          <Button variant="primary" icon={<Plus size={16} />} onClick={() => setCreating(true)}>
            Create operator
          </Button>
        }
      />
      <Card flush>
        <DataTable
          label="Operators"
          columns={columns}
          data={ops.data?.items ?? NO_ROWS}
          getRowId={(o) => o.id}
          loading={ops.isPending}
          error={ops.error}
          onRetry={() => void ops.refetch()}
          skeletonRows={3}
          empty={<EmptyState icon={<Users size={22} />} title="No operators" />}
        />
      </Card>
      {creating && <CreateOperatorDialog onClose={() => setCreating(false)} />}
      {pending !== null && (
        <ChangeOperatorDialog operator={pending.o} change={pending.c} onClose={() => setPending(null)} />
      )}
    </>
  );
}
