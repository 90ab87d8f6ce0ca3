import type { ConnectionDetail } from '@beacon/admin-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Unplug, UserX } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient } from '../../api/api-context.js';
import { errorMessage, isNotFound } from '../../api/errors.js';
import { connectionKey } from '../../api/query-keys.js';
import { AdminOnly } from '../../auth/session.js';
import { Button } from '../../ui/button.js';
import { Card, KeyValues, Stat } from '../../ui/card.js';
import { formatBytes, formatCount, formatDuration } from '../../ui/format.js';
import { Modal } from '../../ui/modal.js';
import { PageHeader } from '../../ui/page.js';
import { Alert, EmptyState, ErrorState, Loading } from '../../ui/states.js';
import { LocalTime } from '../../ui/time.js';
import { useToast } from '../../ui/toast.js';
import { useNow } from '../../ui/use-now.js';
import { topicPath } from '../overview/top-topics.js';

type Target = 'client' | 'user';

function DisconnectDialog({
  c,
  target,
  onClose,
}: {
  c: ConnectionDetail;
  target: Target;
  onClose: () => void;
}) {
  const client = useClient();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: () =>
      target === 'client'
        ? client.call('disconnectClient', { params: { clientId: c.clientId } })
        : client.call('disconnectUser', { params: { key: c.appKey, userId: c.userId ?? '' } }),
    onSuccess: (r) => {
      toast.ok(
        `Disconnected ${formatCount(r.disconnected)} connection${r.disconnected === 1 ? '' : 's'} (close code 4010)`,
      );
      void queryClient.invalidateQueries({ queryKey: ['connections'] });
      queryClient.removeQueries({ queryKey: connectionKey(c.clientId) });
      void navigate('/connections');
    },
  });
  return (
    <Modal
      title={target === 'client' ? 'Disconnect this client?' : `Disconnect every connection of ${c.userId}?`}
      onClose={onClose}
      onSubmit={() => mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="danger" busy={mutation.isPending}>
            Disconnect
          </Button>
        </>
      }
    >
      <p style={{ margin: 0 }}>
        {target === 'client' ? (
          <>
            Client <code>{c.clientId}</code> is closed with code <code>4010</code>. It may reconnect if its
            token is still valid.
          </>
        ) : (
          <>
            Every connection of user <code>{c.userId}</code> in app <code>{c.appKey}</code>, on every node, is
            closed with code <code>4010</code>.
          </>
        )}
      </p>
      {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Modal>
  );
}

/** One connection: who it is, what it is subscribed to, its traffic; admins can disconnect it. */
export function ConnectionPage(): ReactNode {
  const client = useClient();
  const { clientId = '' } = useParams();
  const [dialog, setDialog] = useState<Target | null>(null);
  const now = useNow();
  const result = useQuery({
    queryKey: connectionKey(clientId),
    queryFn: () => client.call('connection', { params: { clientId } }),
    refetchInterval: (q) => (q.state.error !== null ? false : 5000),
    retry: (n, err) => !isNotFound(err) && n < 2,
  });
  const c = result.data;

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Connections', to: '/connections' }, { label: clientId }]}
        title={<span className="mono">{clientId}</span>}
        description={
          c === undefined ? undefined : c.userId === null ? 'Anonymous connection' : `User ${c.userId}`
        }
        actions={
          c !== undefined && (
            <AdminOnly>
              {c.userId !== null && (
                <Button icon={<UserX size={15} />} onClick={() => setDialog('user')}>
                  Disconnect user
                </Button>
              )}
              <Button variant="danger" icon={<Unplug size={15} />} onClick={() => setDialog('client')}>
                Disconnect
              </Button>
            </AdminOnly>
          )
        }
      />
      {result.isPending ? (
        <div className="card">
          <Loading />
        </div>
      ) : c === undefined ? (
        <div className="card">
          {isNotFound(result.error) ? (
            <EmptyState title="This connection is closed">
              The client is no longer connected. <Link to="/connections">Find another connection</Link>.
            </EmptyState>
          ) : (
            <ErrorState error={result.error} onRetry={() => void result.refetch()} />
          )}
        </div>
      ) : (
        <div className="stack">
          <div className="stats">
            <Stat label="Messages in" value={formatCount(c.messagesIn)} sub={formatBytes(c.bytesIn)} />
            <Stat label="Messages out" value={formatCount(c.messagesOut)} sub={formatBytes(c.bytesOut)} />
            <Stat label="Topics" value={formatCount(c.topics)} />
            <Stat label="Connected for" value={formatDuration(now - c.connectedAt)} />
          </div>
          <div className="grid-side">
            <Card title="Connection">
              <KeyValues
                items={[
                  [
                    'App',
                    <Link key="a" to={`/apps/${encodeURIComponent(c.appKey)}`}>
                      {c.appKey}
                    </Link>,
                  ],
                  ['User', c.userId ?? <span className="faint">anonymous</span>],
                  ['Client id', <code key="c">{c.clientId}</code>],
                  ['Node', c.nodeId],
                  ['Connected since', <LocalTime key="t" value={c.connectedAt} />],
                  ['Remote address', <code key="r">{c.remoteAddress}</code>],
                  ['User agent', c.userAgent ?? <span className="faint">—</span>],
                ]}
              />
            </Card>
            <Card title="Token info">
              {c.info === null ? (
                <span className="faint">The token has no info claim.</span>
              ) : (
                <pre className="json">{JSON.stringify(c.info, null, 2)}</pre>
              )}
            </Card>
          </div>
          <Card title="Subscribed topics" sub={formatCount(c.topicList.length)}>
            {c.topicList.length === 0 ? (
              <span className="faint">Not subscribed to any topic.</span>
            ) : (
              <div className="tag-list">
                {c.topicList.map((t) => (
                  <Link key={t} className="tag" to={topicPath({ appKey: c.appKey, topic: t })}>
                    {t}
                  </Link>
                ))}
              </div>
            )}
          </Card>
        </div>
      )}
      {dialog !== null && c !== undefined && (
        <DisconnectDialog c={c} target={dialog} onClose={() => setDialog(null)} />
      )}
    </>
  );
}
