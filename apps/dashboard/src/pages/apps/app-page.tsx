import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useClient } from '../../api/api-context.js';
import { appKey } from '../../api/query-keys.js';
import { AdminOnly, useIsAdmin } from '../../auth/session.js';
import { Badge } from '../../ui/badge.js';
import { Card, KeyValues } from '../../ui/card.js';
import { formatCount } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { Alert, ErrorState, Loading } from '../../ui/states.js';
import { LocalTime } from '../../ui/time.js';
import { AppActions } from './app-actions.js';
import { AppKeys } from './app-keys.js';
import { AppSettingsForm } from './app-settings-form.js';

/** One app: facts, settings, keys; admins rotate, disable, delete. */
export function AppPage(): ReactNode {
  const client = useClient();
  const { key = '' } = useParams();
  const isAdmin = useIsAdmin();
  const result = useQuery({
    queryKey: appKey(key),
    queryFn: () => client.call('app', { params: { key } }),
  });
  const app = result.data;

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Apps & keys', to: '/apps' }, { label: key }]}
        title={
          <span className="row" style={{ gap: 10 }}>
            {app?.name ?? key}
            {app !== undefined &&
              (app.enabled ? (
                <Badge tone="ok" dot>
                  enabled
                </Badge>
              ) : (
                <Badge tone="danger" dot>
                  disabled
                </Badge>
              ))}
          </span>
        }
        description={app === undefined ? undefined : <code>{app.key}</code>}
        actions={
          app !== undefined && (
            <AdminOnly>
              <AppActions app={app} />
            </AdminOnly>
          )
        }
      />
      {result.isPending ? (
        <div className="card">
          <Loading />
        </div>
      ) : app === undefined ? (
        <div className="card">
          <ErrorState error={result.error} onRetry={() => void result.refetch()} />
        </div>
      ) : (
        <div className="stack">
          {!app.enabled && (
            <Alert tone="warn">
              This app is disabled: its clients are refused (close code <code>4003</code>) and its push API
              calls fail until an admin enables it again.
            </Alert>
          )}
          <div className="grid-side">
            <AppSettingsForm app={app} editable={isAdmin} />
            <div className="stack">
              <Card title="About">
                <KeyValues
                  items={[
                    ['App id', <code key="id">{app.id}</code>],
                    ['Key', <code key="k">{app.key}</code>],
                    ['Created', <LocalTime key="c" value={app.createdAt} />],
                    [
                      'Connections',
                      <span key="n">
                        {formatCount(app.connections)}{' '}
                        <span className="faint">of {formatCount(app.settings.maxConnections)}</span>
                      </span>,
                    ],
                  ]}
                />
              </Card>
              <Card title="Explore">
                <div className="stack" style={{ gap: 8 }}>
                  <Link to={`/topics?app=${encodeURIComponent(app.key)}`}>Topics of this app</Link>
                  <Link to={`/connections?app=${encodeURIComponent(app.key)}`}>Connections of this app</Link>
                  <Link to={`/audit?app=${encodeURIComponent(app.key)}`}>Audit records of this app</Link>
                </div>
              </Card>
              <Card title="Connect a client">
                <pre className="json">{`new WebSocket(\n  '${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?app=${app.key}'\n)`}</pre>
              </Card>
            </div>
          </div>
          <AppKeys appKeyName={app.key} editable={isAdmin} />
        </div>
      )}
    </>
  );
}
