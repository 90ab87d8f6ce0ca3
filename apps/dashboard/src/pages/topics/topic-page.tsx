import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useClient } from '../../api/api-context.js';
import { topicKey } from '../../api/query-keys.js';
import { AdminOnly } from '../../auth/session.js';
import { Badge } from '../../ui/badge.js';
import { Card, Stat } from '../../ui/card.js';
import { formatCount, formatRate } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, ErrorState, Loading } from '../../ui/states.js';
import { PublishForm } from './publish-form.js';
import { TopicTail } from './topic-tail.js';

/** One topic: its subscribers on each node, its live tail and (for admins) a publish form. */
export function TopicPage(): ReactNode {
  const client = useClient();
  const { app = '', topic = '' } = useParams();
  const result = useQuery({
    queryKey: topicKey(app, topic),
    queryFn: () => client.call('topic', { params: { key: app, topic } }),
    refetchInterval: 5000,
  });
  const t = result.data;

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Topics', to: '/topics' },
          { label: app, to: `/apps/${encodeURIComponent(app)}` },
          { label: topic },
        ]}
        title={
          <span className="mono" style={{ fontSize: 19 }}>
            {topic}
          </span>
        }
        description={
          <>
            Topic of app <Link to={`/apps/${encodeURIComponent(app)}`}>{app}</Link>
          </>
        }
        actions={
          <Link to={`/connections?app=${encodeURIComponent(app)}&topic=${encodeURIComponent(topic)}`}>
            Its connections
          </Link>
        }
      />
      {result.isPending ? (
        <div className="card">
          <Loading />
        </div>
      ) : result.isError && t === undefined ? (
        <div className="card">
          <ErrorState error={result.error} onRetry={() => void result.refetch()} />
        </div>
      ) : (
        t !== undefined && (
          <div className="stack">
            <div className="stats">
              <Stat label="Subscribers" value={formatCount(t.subscribers)} />
              <Stat label="Messages" value={formatRate(t.messagesPerSec)} />
              <Stat label="Nodes" value={formatCount(t.nodes.length)} sub="with subscribers" />
            </div>
            <div className="grid-side">
              <TopicTail appKey={app} topic={topic} />
              <div className="stack">
                <Card title="Subscribers per node" flush>
                  {t.nodes.length === 0 ? (
                    <EmptyState title="No subscribers">
                      No node has a subscriber for this topic right now.
                    </EmptyState>
                  ) : (
                    <table className="table" aria-label="Subscribers per node">
                      <thead>
                        <tr>
                          <th>Node</th>
                          <th className="num">Subscribers</th>
                        </tr>
                      </thead>
                      <tbody>
                        {t.nodes.map((n) => (
                          <tr key={n.nodeId}>
                            <td>
                              <Badge>{n.nodeId}</Badge>
                            </td>
                            <td className="num">{formatCount(n.subscribers)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </Card>
                <AdminOnly>
                  <PublishForm appKey={app} topic={topic} />
                </AdminOnly>
              </div>
            </div>
          </div>
        )
      )}
    </>
  );
}
