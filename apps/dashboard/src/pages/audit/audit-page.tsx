import type { AuditRecord } from '@beacon/admin-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ScrollText } from 'lucide-react';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { useEventStream } from '../../api/event-stream.js';
import { auditKey } from '../../api/query-keys.js';
import { useApps } from '../../api/use-apps.js';
import { useOperator } from '../../auth/session.js';
import { Card } from '../../ui/card.js';
import { DataTable } from '../../ui/data-table.js';
import { LiveBadge } from '../../ui/live-badge.js';
import { PageHeader } from '../../ui/page.js';
import { Pager, useCursorPager } from '../../ui/pager.js';
import { useUrlFilters } from '../../ui/search-params.js';
import { EmptyState } from '../../ui/states.js';
import { useDebounced } from '../../ui/use-debounced.js';
import { auditColumns } from './audit-columns.js';
import { AuditDetail } from './audit-detail.js';
import { AuditFilters, RANGE_MS, type RangePreset } from './audit-filters.js';

const PAGE_SIZE = 50;
/** Live records kept above the first page. */
const LIVE_KEEP = 200;
const NO_ROWS: AuditRecord[] = [];

/**
 * The audit log, newest first, filtered and cursor-paged on the server. On the first page of an open-ended
 * range, records written from now on arrive through `auditStream` (filtered the same way by the server) and
 * appear on top as they happen.
 */
export function AuditPage(): ReactNode {
  const client = useClient();
  const operator = useOperator();
  const apps = useApps();
  const [filters, setFilters] = useUrlFilters([
    'actor',
    'app',
    'action',
    'result',
    'range',
    'from',
    'to',
  ] as const);
  const [actorInput, setActorInput] = useState(filters.actor);
  const actor = useDebounced(actorInput.trim(), 350);
  const [selected, setSelected] = useState<AuditRecord | null>(null);
  // When a relative range was chosen: its start is fixed then, so the query key does not move every render.
  const [anchor, setAnchor] = useState(() => Date.now());

  useEffect(() => {
    if (actor !== filters.actor) setFilters({ actor });
  }, [actor, filters.actor, setFilters]);

  const range = (filters.range || 'all') as RangePreset;
  const from =
    range === 'custom'
      ? filters.from
      : range === 'all'
        ? ''
        : new Date(anchor - RANGE_MS[range]).toISOString();
  const to = range === 'custom' ? filters.to : '';
  const streamQuery = {
    actor: filters.actor || undefined,
    app: filters.app || undefined,
    action: filters.action || undefined,
    result: filters.result || undefined,
  };
  const listQuery = { ...streamQuery, from: from || undefined, to: to || undefined, limit: PAGE_SIZE };
  const filterKey = JSON.stringify(listQuery);
  const pager = useCursorPager(filterKey);
  const full = { ...listQuery, cursor: pager.cursor };
  const result = useQuery({
    queryKey: auditKey(full),
    queryFn: () => client.call('audit', { query: full }),
    placeholderData: keepPreviousData,
  });

  const liveOn = pager.page === 1 && to === '';
  const [live, setLive] = useState<{ key: string; items: AuditRecord[] }>({ key: filterKey, items: [] });
  const liveItems = live.key === filterKey ? live.items : NO_ROWS;
  const status = useEventStream(
    'auditStream',
    { query: streamQuery },
    {
      record: (r) =>
        setLive((l) => ({
          key: filterKey,
          items: [r, ...(l.key === filterKey ? l.items : []).slice(0, LIVE_KEEP - 1)],
        })),
    },
    liveOn,
  );

  const pageItems = result.data?.items ?? NO_ROWS;
  const rows = useMemo(() => {
    if (!liveOn || liveItems.length === 0) return pageItems;
    const seen = new Set(pageItems.map((r) => r.id));
    return [...liveItems.filter((r) => !seen.has(r.id)), ...pageItems];
  }, [liveOn, liveItems, pageItems]);

  const appById = useMemo(() => new Map(apps.data?.items.map((a) => [a.id, a.key])), [apps.data]);
  const columns = useMemo(() => auditColumns((id) => appById.get(id) ?? id), [appById]);
  const filtered = Object.values(streamQuery).some((v) => v !== undefined) || range !== 'all';

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made from the dashboard, the CLI and the push API, newest first."
        actions={<LiveBadge status={status} />}
      />
      <datalist id="audit-actors">
        <option value={`operator:${operator.email}`} />
        {apps.data?.items.map((a) => (
          <option key={a.id} value={`app:${a.key}`} />
        ))}
      </datalist>
      <Card flush>
        <AuditFilters
          values={filters}
          actorInput={actorInput}
          onActorInput={setActorInput}
          onChange={(patch) => {
            if (patch.range !== undefined) setAnchor(Date.now());
            setFilters(patch);
          }}
        />
        <DataTable
          label="Audit records"
          columns={columns}
          data={rows}
          getRowId={(r) => r.id}
          onRowClick={setSelected}
          loading={result.isPending}
          error={result.error}
          onRetry={() => void result.refetch()}
          empty={
            <EmptyState
              icon={<ScrollText size={22} />}
              title={filtered ? 'No record matches' : 'No audit records yet'}
            >
              {filtered
                ? 'Try a wider time range or fewer filters.'
                : 'Actions on apps, keys and operators are recorded here.'}
            </EmptyState>
          }
          footer={
            <Pager
              page={pager.page}
              pageSize={PAGE_SIZE}
              shown={pageItems.length}
              nextCursor={result.data?.nextCursor}
              onNext={pager.next}
              onPrev={pager.prev}
              fetching={result.isFetching && !result.isPending}
              noun="records"
            />
          }
        />
      </Card>
      {selected !== null && (
        <AuditDetail
          record={selected}
          appKey={selected.appId === null ? null : (appById.get(selected.appId) ?? selected.appId)}
          onClose={() => setSelected(null)}
        />
      )}
    </>
  );
}
