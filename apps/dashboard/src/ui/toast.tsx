import { CheckCircle2, X, XCircle } from 'lucide-react';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Button } from './button.js';

interface Toast {
  id: number;
  tone: 'ok' | 'error';
  text: string;
}

interface Toaster {
  ok: (text: string) => void;
  error: (text: string) => void;
}

const ToastContext = createContext<Toaster>({ ok: () => undefined, error: () => undefined });
let nextId = 1;

/** Short confirmations ("App disabled") and failures of actions, bottom right, gone after a few seconds. */
export function ToastProvider({ children }: { children: ReactNode }): ReactNode {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (tone: Toast['tone'], text: string) => {
      const id = nextId++;
      setToasts((t) => [...t.slice(-3), { id, tone, text }]);
      setTimeout(() => dismiss(id), tone === 'error' ? 8000 : 4000);
    },
    [dismiss],
  );
  const api = useMemo<Toaster>(() => ({ ok: (t) => push('ok', t), error: (t) => push('error', t) }), [push]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={t.tone === 'error' ? 'toast toast-error' : 'toast'} role="status">
            {t.tone === 'error' ? (
              <XCircle size={18} color="var(--danger)" aria-hidden />
            ) : (
              <CheckCircle2 size={18} color="var(--ok)" aria-hidden />
            )}
            <div className="grow">{t.text}</div>
            <Button
              variant="ghost"
              size="sm"
              aria-label="Dismiss"
              icon={<X size={14} />}
              onClick={() => dismiss(t.id)}
            />
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Toaster {
  return useContext(ToastContext);
}
