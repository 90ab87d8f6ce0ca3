import { X } from 'lucide-react';
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { Button } from './button.js';

/**
 * A modal dialog: focus moves into it, Escape and the close button dismiss it (unless `locked`, e.g. while a
 * secret is shown and must be acknowledged), and focus returns where it was. With `onSubmit` the body is a
 * form, so Enter submits.
 */
export function Modal({
  title,
  onClose,
  children,
  footer,
  onSubmit,
  wide = false,
  locked = false,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  onSubmit?: () => void;
  wide?: boolean;
  locked?: boolean;
}): ReactNode {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      'input:not([type=hidden]):not(:disabled), textarea, select, [data-autofocus], button.btn-primary',
    );
    (first ?? ref.current)?.focus();
    return () => before?.focus?.();
  }, []);

  useEffect(() => {
    if (locked) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [locked, onClose]);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit?.();
  };

  const inner = (
    <>
      <div className="modal-head">
        <h2 id={titleId}>{title}</h2>
        {!locked && (
          <Button variant="ghost" size="sm" aria-label="Close" icon={<X size={16} />} onClick={onClose} />
        )}
      </div>
      <div className="modal-body">{children}</div>
      {footer !== undefined && <div className="modal-foot">{footer}</div>}
    </>
  );

  return createPortal(
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (!locked && e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={ref}
        className={wide ? 'modal modal-wide' : 'modal'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
      >
        {onSubmit !== undefined ? (
          <form onSubmit={submit} noValidate>
            {inner}
          </form>
        ) : (
          inner
        )}
      </div>
    </div>,
    document.body,
  );
}
