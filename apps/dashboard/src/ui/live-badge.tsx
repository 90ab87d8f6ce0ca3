import type { ReactNode } from 'react';
import type { StreamStatus } from '../api/event-stream.js';
import { Badge } from './badge.js';

const LABELS: Record<StreamStatus, { text: string; tone: 'ok' | 'warn' | 'neutral'; title: string }> = {
  live: { text: 'Live', tone: 'ok', title: 'Receiving live updates' },
  connecting: { text: 'Connecting', tone: 'neutral', title: 'Opening the live stream' },
  reconnecting: { text: 'Reconnecting', tone: 'warn', title: 'The live stream was interrupted; retrying' },
  paused: { text: 'Paused', tone: 'neutral', title: 'Paused while this tab is hidden' },
  off: { text: 'Off', tone: 'neutral', title: 'Live updates are off' },
};

export function LiveBadge({ status }: { status: StreamStatus }): ReactNode {
  const l = LABELS[status];
  return (
    <Badge tone={l.tone} dot pulse={status === 'live'} title={l.title}>
      {l.text}
    </Badge>
  );
}
