import type { ConnectionRow } from '@beacon/admin-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Cable, Search } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useClient } from '../../api/api-context.js';
import { connectionsKey } from '../../api/query-keys.js';
import { AppSelect } from '../../ui/app-select.js';
import { Card } from '../../ui/card.js';
import { columnsFor, DataTable } from '../../ui/data-table.js';
import { Field, Input, Select } from '../../ui/field.js';
import { formatCount, formatDuration } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { Pager, useCursorPager } from '../../ui/pager.js';
import { useUrlFilters } from '../../ui/search-params.js';
import { EmptyState } from '../../ui/states.js';
import { useDebounced } from '../../ui/use-debounced.js';

const PAGE_SIZE = 50;
const NO_ROWS: ConnectionRow[] = [];

export const connectionPath = (clientId: string): string => `/connections/${encodeURIComponent(clientId)}`;

const col = columnsFor<ConnectionRow>();
const columns = col.columns([
  col.accessor('clientId', {
    header: 'Client',
    cell: (c) => (
      <Link to={connectionPath(c.getValue())} className="mono">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('userId', {
    header: 'User',
    cell: (c) => c.getValue() ?? <span className="faint">anonymous</span>,
  }),
  col.accessor('appKey', { header: 'App', cell: (c) => <span className="muted">{c.getValue()}</span> }),
  col.accessor('nodeId', { header: 'Node', cell: (c) => <span className="muted">{c.getValue()}</span> }),
  col.accessor('remoteAddress', {
    header: 'Address',
    cell: (c) => <span className="mono muted">{c.getValue()}</span>,
  }),
  col.accessor('topics', {
    header: 'Topics',
    meta: { align: 'end' },
    cell: (c) => formatCount(c.getValue()),
  }),
  col.accessor('connectedAt', {
    header: 'Connected',
    meta: { align: 'end' },
    cell: (c) => (
      <span title={new Date(c.getValue()).toLocaleString()}>{formatDuration(Date.now() - c.getValue())}</span>
    ),
  }),
]);

type By = 'user' | 'client' | 'topic';
const BY_LABEL: Record<By, string> = { user: 'User id', client: 'Client id', topic: 'Topic' };
const BY_PLACEHOLDER: Record<By, string> = { user: 'user-42', client: 'c1.2a', topic: 'chat/general' };

/** Find connections by app and by user id, client id or topic; paged on the server. */
export function ConnectionsPage(): ReactNode {
  const client = useClient();
  const navigate = useNavigate();
  const [filters, setFilters] = useUrlFilters(['app', 'user', 'client', 'topic'] as const);
  const initialBy: By = filters.client !== '' ? 'client' : filters.topic !== '' ? 'topic' : 'user';
  const [by, setBy] = useState<By>(initialBy);
  const [text, setText] = useState(filters[initialBy]);
  const term = useDebounced(text.trim());

  useEffect(() => {
    if (
      filters[by] !== term ||
      (['user', 'client', 'topic'] as const).some((k) => k !== by && filters[k] !== '')
    ) {
      setFilters({ user: '', client: '', topic: '', [by]: term });
    }
  }, [by, term, filters, setFilters]);

  const query = {
    app: filters.app || undefined,
    user: filters.user || undefined,
    client: filters.client || undefined,
    topic: filters.topic || undefined,
    limit: PAGE_SIZE,
  };
  const pager = useCursorPager(JSON.stringify(query));
  const full = { ...query, cursor: pager.cursor };
  const result = useQuery({
    queryKey: connectionsKey(full),
    queryFn: () => client.call('connections', { query: full }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const filtered = Object.values(query).some((v) => typeof v === 'string');

  return (
    <>
      <PageHeader title="Connections" description="Find a client by user id, client id, topic or app." />
      <Card flush>
        <div className="filters">
          <Field label="Find by">
            <Select value={by} onChange={(e) => setBy(e.target.value as By)} aria-label="Find by">
              {(Object.keys(BY_LABEL) as By[]).map((k) => (
                <option key={k} value={k}>
                  {BY_LABEL[k]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={BY_LABEL[by]} className="wide">
            <div className="input-icon">
              <Search size={15} aria-hidden />
              <Input
                type="search"
                value={text}
                placeholder={BY_PLACEHOLDER[by]}
                onChange={(e) => setText(e.target.value)}
                aria-label={`Search by ${BY_LABEL[by].toLowerCase()}`}
              />
            </div>
          </Field>
          <AppSelect value={filters.app} onChange={(app) => setFilters({ app })} />
        </div>
        <DataTable
          label="Connections"
          columns={columns}
          data={result.data?.items ?? NO_ROWS}
          getRowId={(c) => c.clientId}
          onRowClick={(c) => void navigate(connectionPath(c.clientId))}
          loading={result.isPending}
          error={result.error}
          onRetry={() => void result.refetch()}
          empty={
            <EmptyState
              icon={<Cable size={22} />}
              title={filtered ? 'No connection matches' : 'No connections'}
            >
              {filtered ? 'No open connection matches these filters.' : 'No client is connected right now.'}
            </EmptyState>
          }
          footer={
            <Pager
              page={pager.page}
              pageSize={PAGE_SIZE}
              shown={result.data?.items.length ?? 0}
              total={result.data?.total}
              nextCursor={result.data?.nextCursor}
              onNext={pager.next}
              onPrev={pager.prev}
              fetching={result.isFetching && !result.isPending}
              noun="connections"
            />
          }
        />
      </Card>
    </>
  );
}
