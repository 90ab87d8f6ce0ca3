import type { App } from '@beacon/admin-api';
import { AppWindow, Plus } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useApps } from '../../api/use-apps.js';
import { AdminOnly, useIsAdmin } from '../../auth/session.js';
import { Badge } from '../../ui/badge.js';
import { Button } from '../../ui/button.js';
import { Card } from '../../ui/card.js';
import { columnsFor, DataTable } from '../../ui/data-table.js';
import { formatCount } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState } from '../../ui/states.js';
import { LocalTime } from '../../ui/time.js';
import { CreateAppDialog } from './create-app-dialog.js';

const NO_APPS: App[] = [];
export const appPath = (key: string): string => `/apps/${encodeURIComponent(key)}`;

const col = columnsFor<App>();
const columns = col.columns([
  col.accessor('name', {
    header: 'App',
    cell: (c) => (
      <div>
        <Link to={appPath(c.row.original.key)} style={{ fontWeight: 500 }}>
          {c.getValue()}
        </Link>
        <div className="faint mono">{c.row.original.key}</div>
      </div>
    ),
  }),
  col.accessor('enabled', {
    header: 'Status',
    cell: (c) =>
      c.getValue() ? (
        <Badge tone="ok" dot>
          enabled
        </Badge>
      ) : (
        <Badge tone="danger" dot>
          disabled
        </Badge>
      ),
  }),
  col.display({
    id: 'access',
    header: 'Clients',
    cell: (c) => {
      const s = c.row.original.settings;
      return (
        <div className="row" style={{ gap: 6 }}>
          <Badge>{s.allowAnonymous ? 'anonymous allowed' : 'token required'}</Badge>
          {s.clientPublish && <Badge>client publish</Badge>}
        </div>
      );
    },
  }),
  col.accessor('connections', {
    header: 'Connections',
    meta: { align: 'end' },
    cell: (c) => {
      const max = c.row.original.settings.maxConnections;
      return (
        <span>
          {formatCount(c.getValue())}
          {max > 0 && <span className="faint"> / {formatCount(max)}</span>}
        </span>
      );
    },
  }),
  col.accessor('createdAt', {
    header: 'Created',
    meta: { align: 'end' },
    cell: (c) => <LocalTime value={c.getValue()} compact />,
  }),
]);

/** Every app (tenant) of the platform; admins create new ones here. */
export function AppsPage(): ReactNode {
  const apps = useApps();
  const navigate = useNavigate();
  const isAdmin = useIsAdmin();
  const [creating, setCreating] = useState(false);
  const create = (
    <AdminOnly>
      <Button variant="primary" icon={<Plus size={16} />} onClick={() => setCreating(true)}>
        Create app
      </Button>
    </AdminOnly>
  );
  return (
    <>
      <PageHeader
        title="Apps & keys"
        description="Tenants of the platform, their settings and credentials."
        actions={create}
      />
      <Card flush>
        <DataTable
          label="Apps"
          columns={columns}
          data={apps.data?.items ?? NO_APPS}
          getRowId={(a) => a.id}
          onRowClick={(a) => void navigate(appPath(a.key))}
          loading={apps.isPending}
          error={apps.error}
          onRetry={() => void apps.refetch()}
          empty={
            <EmptyState
              icon={<AppWindow size={22} />}
              title="No apps yet"
              action={isAdmin ? create : undefined}
            >
              An app holds the clients, topics and keys of one tenant.
              {isAdmin ? ' Create one to get its push secret and token key.' : ' An admin can create one.'}
            </EmptyState>
          }
        />
      </Card>
      {creating && (
        <CreateAppDialog
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            void navigate(appPath(key));
          }}
        />
      )}
    </>
  );
}
