import type { TailMessage } from '@beacon/admin-api';
import { Pause, Play, Trash2 } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useEventStream } from '../../api/event-stream.js';
import { Button } from '../../ui/button.js';
import { Card } from '../../ui/card.js';
import { formatCount, formatTime } from '../../ui/format.js';
import { LiveBadge } from '../../ui/live-badge.js';
import { EmptyState } from '../../ui/states.js';

/** Messages kept on screen; older ones scroll away. */
export const TAIL_KEEP = 200;

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json; // cut short by the server (truncated): shown as sent
  }
}

/**
 * A topic's messages as they are published (`topicTail`). The server bounds the rate per viewer and says how
 * many it skipped (`dropped`); delivery to clients is never slowed by it.
 */
export function TopicTail({ appKey, topic }: { appKey: string; topic: string }): ReactNode {
  const [paused, setPaused] = useState(false);
  const [messages, setMessages] = useState<TailMessage[]>([]);
  const [dropped, setDropped] = useState(0);
  const status = useEventStream(
    'topicTail',
    { params: { key: appKey, topic } },
    {
      message: (m) => setMessages((list) => [m, ...list.slice(0, TAIL_KEEP - 1)]),
      dropped: (d) => setDropped((n) => n + d.dropped),
    },
    !paused,
  );

  return (
    <Card
      title="Live tail"
      flush
      actions={
        <div className="row">
          {dropped > 0 && (
            <span className="faint" style={{ fontSize: 12 }} title="Skipped to keep the tail within its rate">
              {formatCount(dropped)} skipped
            </span>
          )}
          <LiveBadge status={status} />
          <Button
            size="sm"
            icon={paused ? <Play size={14} /> : <Pause size={14} />}
            onClick={() => setPaused((p) => !p)}
          >
            {paused ? 'Resume' : 'Pause'}
          </Button>
          <Button
            size="sm"
            variant="ghost"
            icon={<Trash2 size={14} />}
            aria-label="Clear the tail"
            onClick={() => {
              setMessages([]);
              setDropped(0);
            }}
          />
        </div>
      }
    >
      <div className="tail" aria-live="off" aria-label="Messages" role="log">
        {messages.length === 0 ? (
          <EmptyState title={paused ? 'Tail paused' : 'Waiting for messages'}>
            {paused
              ? 'Resume to see new messages.'
              : 'Messages published to this topic appear here as they are sent.'}
          </EmptyState>
        ) : (
          messages.map((m) => (
            <div className="tail-row" key={m.id}>
              <time dateTime={new Date(m.ts).toISOString()}>{formatTime(m.ts)}</time>
              <pre>
                {pretty(m.dataJson)}
                {m.truncated && <span className="faint"> … (cut for the viewer)</span>}
              </pre>
            </div>
          ))
        )}
      </div>
    </Card>
  );
}
