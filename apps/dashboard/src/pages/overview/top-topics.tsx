import type { TopicRow } from '@beacon/admin-api';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Card } from '../../ui/card.js';
import { formatCount, formatRate } from '../../ui/format.js';
import { EmptyState } from '../../ui/states.js';

export function topicPath(t: { appKey: string; topic: string }): string {
  return `/topics/${encodeURIComponent(t.appKey)}/${encodeURIComponent(t.topic)}`;
}

function TopList({ title, rows, by }: { title: string; rows: TopicRow[]; by: 'subscribers' | 'rate' }) {
  return (
    <Card title={title} flush actions={<Link to={`/topics?sort=${by}`}>All topics</Link>}>
      {rows.length === 0 ? (
        <EmptyState title="No topics yet">Topics appear when clients subscribe.</EmptyState>
      ) : (
        <table className="table" aria-label={title}>
          <thead>
            <tr>
              <th>Topic</th>
              <th className="num">Subscribers</th>
              <th className="num">Messages</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={`${t.appId}/${t.topic}`}>
                <td style={{ maxWidth: 0, width: '100%' }}>
                  <div className="ellipsis">
                    <Link to={topicPath(t)} className="mono" title={t.topic}>
                      {t.topic}
                    </Link>
                  </div>
                  <div className="faint" style={{ fontSize: 12 }}>
                    {t.appKey}
                  </div>
                </td>
                <td className="num">{formatCount(t.subscribers)}</td>
                <td className="num">{formatRate(t.messagesPerSec)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function TopTopics({
  bySubscribers,
  byRate,
}: {
  bySubscribers: TopicRow[];
  byRate: TopicRow[];
}): ReactNode {
  return (
    <div className="grid-2">
      <TopList title="Most subscribed topics" rows={bySubscribers} by="subscribers" />
      <TopList title="Busiest topics" rows={byRate} by="rate" />
    </div>
  );
}
