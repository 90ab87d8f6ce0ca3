import type { TopicRow } from '@beacon/admin-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Radio, Search } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useClient } from '../../api/api-context.js';
import { topicsKey } from '../../api/query-keys.js';
import { AppSelect } from '../../ui/app-select.js';
import { Card } from '../../ui/card.js';
import { columnsFor, DataTable } from '../../ui/data-table.js';
import { Field, Input, Segmented } from '../../ui/field.js';
import { formatCount, formatRate } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { Pager, useCursorPager } from '../../ui/pager.js';
import { useUrlFilters } from '../../ui/search-params.js';
import { EmptyState } from '../../ui/states.js';
import { useDebounced } from '../../ui/use-debounced.js';
import { topicPath } from '../overview/top-topics.js';

const PAGE_SIZE = 50;
const NO_ROWS: TopicRow[] = [];

const col = columnsFor<TopicRow>();
const columns = col.columns([
  col.accessor('topic', {
    header: 'Topic',
    cell: (c) => (
      <Link to={topicPath(c.row.original)} className="mono">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('appKey', { header: 'App', cell: (c) => <span className="muted">{c.getValue()}</span> }),
  col.accessor('subscribers', {
    header: 'Subscribers',
    meta: { align: 'end', width: 160 },
    cell: (c) => formatCount(c.getValue()),
  }),
  col.accessor('messagesPerSec', {
    header: 'Messages',
    meta: { align: 'end', width: 160 },
    cell: (c) => formatRate(c.getValue()),
  }),
]);

/** Topics across apps, busiest first, filtered and paged on the server; refreshed every few seconds. */
export function TopicsPage(): ReactNode {
  const client = useClient();
  const navigate = useNavigate();
  const [filters, setFilters] = useUrlFilters(['app', 'prefix', 'sort'] as const);
  const sort = filters.sort === 'rate' ? 'rate' : 'subscribers';
  const [prefixInput, setPrefixInput] = useState(filters.prefix);
  const prefix = useDebounced(prefixInput.trim());
  const pager = useCursorPager(`${filters.app}|${filters.prefix}|${sort}`);

  useEffect(() => {
    if (prefix !== filters.prefix) setFilters({ prefix });
  }, [prefix, filters.prefix, setFilters]);

  const query = {
    app: filters.app || undefined,
    prefix: filters.prefix || undefined,
    sort,
    cursor: pager.cursor,
    limit: PAGE_SIZE,
  } as const;
  const result = useQuery({
    queryKey: topicsKey(query),
    queryFn: () => client.call('topics', { query }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const filtered = filters.app !== '' || filters.prefix !== '';

  return (
    <>
      <PageHeader
        title="Topics"
        description="Every topic with subscribers, across apps. Counts refresh every 5 seconds."
      />
      <Card flush>
        <div className="filters">
          <Field label="Search by prefix" className="wide">
            <div className="input-icon">
              <Search size={15} aria-hidden />
              <Input
                type="search"
                placeholder="chat/, orders."
                value={prefixInput}
                onChange={(e) => setPrefixInput(e.target.value)}
                aria-label="Topic prefix"
              />
            </div>
          </Field>
          <AppSelect value={filters.app} onChange={(app) => setFilters({ app })} />
          <div className="grow" />
          <Segmented
            label="Sort topics"
            value={sort}
            onChange={(s) => setFilters({ sort: s === 'subscribers' ? '' : s })}
            options={[
              { value: 'subscribers', label: 'Most subscribers' },
              { value: 'rate', label: 'Busiest' },
            ]}
          />
        </div>
        <DataTable
          label="Topics"
          columns={columns}
          data={result.data?.items ?? NO_ROWS}
          getRowId={(t) => `${t.appId}/${t.topic}`}
          onRowClick={(t) => void navigate(topicPath(t))}
          loading={result.isPending}
          error={result.error}
          onRetry={() => void result.refetch()}
          empty={
            <EmptyState icon={<Radio size={22} />} title={filtered ? 'No topic matches' : 'No topics yet'}>
              {filtered
                ? 'No topic with subscribers matches these filters.'
                : 'Topics appear here as soon as a client subscribes to one.'}
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
              noun="topics"
            />
          }
        />
      </Card>
    </>
  );
}
