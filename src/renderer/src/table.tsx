/**
 * Tables as people expect them from a profiler: every column sorts (click or Enter on its header), a filter
 * box narrows the rows, and numbers are grouped for the reader's locale (Intl.NumberFormat).
 */
import { useMemo, useState, type ReactNode } from 'react';

const counts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const signed = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** A count, grouped: 12,345. */
export function formatCount(value: number): string {
  return counts.format(value);
}

/** A signed count, grouped: +5,386, −12, 0. */
export function formatSignedCount(value: number): string {
  return signed.format(value);
}

/** A share of a total as a percentage, or '—' without a total. */
export function formatPercent(part: number, total: number): string {
  return total > 0 ? percent.format(part / total) : '—';
}

/** A column: how to read its value (for sorting) and how to show it. */
export interface Column<T> {
  key: string;
  title: string;
  /** Right-aligned, sorted largest first on the first click. */
  num?: boolean;
  value: (row: T) => number | string;
  render?: (row: T) => ReactNode;
  cellClass?: (row: T) => string;
  /** Cell attributes (test ids, data). */
  cellProps?: (row: T) => Record<string, string | number>;
}

interface Props<T> {
  label: string;
  rows: T[];
  columns: Array<Column<T>>;
  rowKey: (row: T) => string;
  /** The text the filter box matches (case-insensitive); default: the first column's value. */
  filterText?: (row: T) => string;
  initialSort?: { key: string; desc: boolean };
  selectedKey?: string | null;
  onRowClick?: (row: T) => void;
  /** Extra controls beside the filter box. */
  toolbar?: ReactNode;
  /** The most rows drawn (the rest are counted); default 500. */
  maxRows?: number;
  placeholder?: string;
}

/** A sortable, filterable table. */
export function DataTable<T>({ label, rows, columns, rowKey, filterText, initialSort, selectedKey, onRowClick, toolbar, maxRows = 500, placeholder = 'Filter' }: Props<T>) {
  const [sort, setSort] = useState<{ key: string; desc: boolean } | null>(initialSort ?? null);
  const [filter, setFilter] = useState('');
  const text = filterText ?? ((row: T) => String(columns[0].value(row)));
  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const filtered = needle ? rows.filter((r) => text(r).toLowerCase().includes(needle)) : rows;
    if (!sort) return filtered;
    const column = columns.find((c) => c.key === sort.key);
    if (!column) return filtered;
    return [...filtered].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -order : order;
    });
    // text and columns are derived from props that change with rows.
  }, [rows, filter, sort]);
  const flip = (column: Column<T>) => setSort((s) => ({ key: column.key, desc: s?.key === column.key ? !s.desc : !!column.num }));
  return (
    <>
      <div className="table-tools row">
        <input className="field" placeholder={placeholder} value={filter} onChange={(e) => setFilter(e.target.value)} aria-label={`Filter ${label}`} style={{ width: 200 }} />
        <span className="muted">
          {visible.length === rows.length ? `${formatCount(rows.length)} ${rows.length === 1 ? 'row' : 'rows'}` : `${formatCount(visible.length)} of ${formatCount(rows.length)}`}
          {visible.length > maxRows ? `, first ${formatCount(maxRows)} shown` : ''}
        </span>
        <span className="spacer" style={{ flex: 1 }} />
        {toolbar}
      </div>
      <table className="data" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                className={c.num ? 'num' : ''}
                tabIndex={0}
                aria-sort={sort?.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                onClick={() => flip(c)}
                onKeyDown={(e) => e.key === 'Enter' && flip(c)}
              >
                {c.title} {sort?.key === c.key ? (sort.desc ? '▾' : '▴') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {visible.slice(0, maxRows).map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                className={onRowClick ? 'clickable' : undefined}
                tabIndex={onRowClick ? 0 : undefined}
                aria-selected={selectedKey === key}
                onClick={() => onRowClick?.(row)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onRowClick?.(row);
                  } else if (e.key === 'ArrowDown') (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
                  else if (e.key === 'ArrowUp') (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
                }}
              >
                {columns.map((c) => (
                  <td key={c.key} className={`${c.num ? 'num' : ''} ${c.cellClass?.(row) ?? ''}`} {...(c.cellProps?.(row) ?? {})}>
                    {c.render ? c.render(row) : typeof c.value(row) === 'number' ? formatCount(c.value(row) as number) : c.value(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
