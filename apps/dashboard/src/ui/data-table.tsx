import {
  createColumnHelper,
  metaHelper,
  tableFeatures,
  useTable,
  type ColumnDef,
  type RowData,
} from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { ErrorState } from './states.js';

/** Column metadata the tables understand: right-aligned numbers, fixed widths. */
export interface ColumnMeta {
  align?: 'end';
  width?: number | string;
}

export const tableFeatureSet = tableFeatures({ columnMeta: metaHelper<ColumnMeta>() });
export type TableFeatureSet = typeof tableFeatureSet;

/** A column helper for rows of type T, bound to the dashboard's table features. */
export function columnsFor<T extends RowData>() {
  return createColumnHelper<TableFeatureSet, T>();
}

// Column definitions carry per-column value types; the table takes any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Columns<T extends RowData> = Array<ColumnDef<TableFeatureSet, T, any>>;

export interface DataTableProps<T extends RowData> {
  columns: Columns<T>;
  /** Keep it stable (the query's data, or a module-level empty array) to avoid recomputing rows. */
  data: T[];
  getRowId: (row: T) => string;
  onRowClick?: (row: T) => void;
  /** First load: skeleton rows. */
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** Shown when the data is empty (and not loading or failed). */
  empty?: ReactNode;
  footer?: ReactNode;
  label: string;
  skeletonRows?: number;
}

/**
 * A headless TanStack table rendered as the dashboard's table: paging, sorting and filtering happen on the
 * server, so the table only lays out the page it is given.
 */
export function DataTable<T extends RowData>({
  columns,
  data,
  getRowId,
  onRowClick,
  loading = false,
  error,
  onRetry,
  empty,
  footer,
  label,
  skeletonRows = 6,
}: DataTableProps<T>): ReactNode {
  const table = useTable(
    { features: tableFeatureSet, columns, data, getRowId: (row) => getRowId(row) },
    () => null,
  );
  const headers = table.getHeaderGroups();
  const width = columns.length;
  const rows = table.getRowModel().rows;

  let body: ReactNode;
  if (error !== undefined && error !== null && rows.length === 0) {
    body = (
      <tr>
        <td colSpan={width}>
          <ErrorState error={error} onRetry={onRetry} />
        </td>
      </tr>
    );
  } else if (loading && rows.length === 0) {
    body = Array.from({ length: skeletonRows }, (_, i) => (
      <tr key={i} className="skeleton-row" aria-hidden>
        {headers[0]?.headers.map((h) => (
          <td key={h.id}>
            <span className="skeleton" style={{ width: `${40 + ((i * 37 + h.index * 17) % 50)}%` }} />
          </td>
        ))}
      </tr>
    ));
  } else if (rows.length === 0) {
    body = (
      <tr>
        <td colSpan={width}>{empty}</td>
      </tr>
    );
  } else {
    body = rows.map((row) => (
      <tr
        key={row.id}
        className={onRowClick !== undefined ? 'clickable' : undefined}
        onClick={
          onRowClick === undefined
            ? undefined
            : (e) => {
                // links and buttons inside the row do their own thing
                if ((e.target as HTMLElement).closest('a, button, input') === null) onRowClick(row.original);
              }
        }
      >
        {row.getAllCells().map((cell) => (
          <td key={cell.id} className={cell.column.columnDef.meta?.align === 'end' ? 'num' : undefined}>
            <table.FlexRender cell={cell} />
          </td>
        ))}
      </tr>
    ));
  }

  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label={label} aria-busy={loading}>
          <thead>
            {headers.map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th
                    key={header.id}
                    className={header.column.columnDef.meta?.align === 'end' ? 'num' : undefined}
                    style={{ width: header.column.columnDef.meta?.width }}
                  >
                    {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>{body}</tbody>
        </table>
      </div>
      {footer}
    </>
  );
}
