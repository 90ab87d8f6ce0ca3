import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'ok' | 'warn' | 'danger' | 'accent';

export function Badge({
  tone = 'neutral',
  dot = false,
  pulse = false,
  children,
  title,
}: {
  tone?: Tone;
  dot?: boolean;
  pulse?: boolean;
  children: ReactNode;
  title?: string;
}): ReactNode {
  return (
    <span className={tone === 'neutral' ? 'badge' : `badge badge-${tone}`} title={title}>
      {dot && <span className={pulse ? 'dot dot-pulse' : 'dot'} aria-hidden />}
      {children}
    </span>
  );
}
