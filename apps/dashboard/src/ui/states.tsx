import { AlertTriangle, Inbox, RotateCw } from 'lucide-react';
import type { ReactNode } from 'react';
import { errorMessage, isForbidden, isNotFound } from '../api/errors.js';
import { Button } from './button.js';

export function Spinner({ label = 'Loading' }: { label?: string }): ReactNode {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function Loading({ label = 'Loading…' }: { label?: string }): ReactNode {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden />
      <p>{label}</p>
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}): ReactNode {
  return (
    <div className="state">
      <div className="state-icon" aria-hidden>
        {icon ?? <Inbox size={22} />}
      </div>
      <h3>{title}</h3>
      {children !== undefined && <p>{children}</p>}
      {action}
    </div>
  );
}

/** A failed load: what the server said, and a retry button. */
export function ErrorState({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}): ReactNode {
  const heading =
    title ?? (isNotFound(error) ? 'Not found' : isForbidden(error) ? 'Not allowed' : 'Something went wrong');
  return (
    <div className="state state-error" role="alert">
      <div className="state-icon" aria-hidden>
        <AlertTriangle size={22} />
      </div>
      <h3>{heading}</h3>
      <p>{errorMessage(error)}</p>
      {onRetry !== undefined && !isNotFound(error) && (
        <Button size="sm" icon={<RotateCw size={14} />} onClick={onRetry}>
          Retry
        </Button>
      )}
    </div>
  );
}

export function Alert({
  tone = 'danger',
  children,
  icon,
}: {
  tone?: 'danger' | 'warn' | 'info';
  children: ReactNode;
  icon?: ReactNode;
}): ReactNode {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      {icon ?? <AlertTriangle size={16} aria-hidden />}
      <div>{children}</div>
    </div>
  );
}
