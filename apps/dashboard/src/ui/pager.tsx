import { ChevronLeft, ChevronRight } from 'lucide-react';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { Button } from './button.js';
import { formatCount } from './format.js';

/**
 * Cursor paging as the admin API does it: a page has an opaque `nextCursor`; going back pops the cursors
 * seen so far. A new `resetKey` (the filters) starts again at the first page.
 */
export function useCursorPager(resetKey: string): {
  cursor: string | undefined;
  page: number;
  next: (nextCursor: string) => void;
  prev: () => void;
} {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key: resetKey, stack: [] });
  const stack = useMemo(() => (state.key === resetKey ? state.stack : []), [state, resetKey]);
  const next = useCallback(
    (c: string) => setState((s) => ({ key: resetKey, stack: [...(s.key === resetKey ? s.stack : []), c] })),
    [resetKey],
  );
  const prev = useCallback(
    () => setState((s) => ({ key: resetKey, stack: (s.key === resetKey ? s.stack : []).slice(0, -1) })),
    [resetKey],
  );
  return useMemo(() => ({ cursor: stack.at(-1), page: stack.length + 1, next, prev }), [stack, next, prev]);
}

export function Pager({
  page,
  pageSize,
  shown,
  total,
  nextCursor,
  onNext,
  onPrev,
  fetching = false,
  noun = 'rows',
}: {
  page: number;
  pageSize: number;
  shown: number;
  total?: number | null;
  nextCursor: string | null | undefined;
  onNext: (c: string) => void;
  onPrev: () => void;
  fetching?: boolean;
  noun?: string;
}): ReactNode {
  const from = shown === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = (page - 1) * pageSize + shown;
  return (
    <div className="pager">
      <span>
        {shown === 0
          ? `No ${noun}`
          : `${formatCount(from)}–${formatCount(to)}${total !== undefined && total !== null ? ` of ${formatCount(total)}` : ''} ${noun}`}
      </span>
      {fetching && <span className="spinner" style={{ width: 14, height: 14 }} aria-label="Loading" />}
      <span className="grow" />
      <span className="faint">Page {page}</span>
      <Button size="sm" icon={<ChevronLeft size={14} />} onClick={onPrev} disabled={page <= 1}>
        Previous
      </Button>
      <Button
        size="sm"
        onClick={() => nextCursor !== null && nextCursor !== undefined && onNext(nextCursor)}
        disabled={nextCursor === null || nextCursor === undefined}
      >
        Next <ChevronRight size={14} aria-hidden />
      </Button>
    </div>
  );
}
