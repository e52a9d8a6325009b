/**
 * A class's instances in a snapshot, oldest first (by the first snapshot of the series that held each, then by
 * id), a page at a time, with ids, sizes and ages; each opens its retainers. Used where a class row is picked:
 * the Type summary and the Diff.
 */
import { useEffect, useState } from 'react';
import type { LoadedSnapshot } from '../../shared/engine-api';
import type { InstanceRow } from '../../shared/model';
import { formatAge, formatBytes } from '../../shared/format';
import { call } from './api';
import { DataTable, formatCount, formatPercent } from './table';

const PAGE = 50;

interface Props {
  /** The series, oldest first; the instances are those of its last snapshot. */
  series: LoadedSnapshot[];
  className: string;
  onOpen: (row: InstanceRow) => void;
  onError: (error: unknown) => void;
}

export function InstancesList({ series, className, onOpen, onError }: Props) {
  const ids = series.map((s) => s.id);
  const key = `${ids.join(',')}|${className}`;
  const [page, setPage] = useState<{ key: string; total: number; rows: InstanceRow[] } | null>(null);
  const load = async (offset: number) => {
    try {
      const next = await call('instanceRows', { ids, classNameOrKey: className, offset, limit: PAGE });
      setPage((old) => (old && old.key === key && offset > 0 ? { key, total: next.total, rows: [...old.rows, ...next.rows] } : { key, ...next }));
    } catch (error) {
      onError(error);
    }
  };
  useEffect(() => {
    void load(0);
    // key names ids and className.
  }, [key]);
  const last = series[series.length - 1];
  const shown = page?.key === key ? page : null;
  if (!shown) return <div className="panel-body muted">Listing instances…</div>;
  return (
    <div className="instances">
      <DataTable
        label={`Instances of ${className}`}
        rows={shown.rows}
        rowKey={(row) => String(row.nodeId)}
        filterText={(row) => `@${row.nodeId} ${row.name}`}
        placeholder="Filter by @id or name"
        onRowClick={onOpen}
        columns={[
          {
            key: 'object',
            title: 'Object',
            value: (row) => row.nodeId,
            render: (row) => (
              <span title="Open its retainers">
                <span className="mono">@{row.nodeId}</span> <span className="muted">{row.name !== row.className ? row.name.slice(0, 40) : ''}</span>
              </span>
            ),
          },
          {
            key: 'age',
            title: 'Age',
            num: true,
            // Older first when sorted largest first: the first snapshot that held it, earliest.
            value: (row) => -row.firstSeen,
            cellClass: () => 'muted',
            cellProps: (row) => ({ title: `First seen in snapshot #${row.firstSeen + 1}` }),
            render: (row) => (series.length > 1 ? formatAge(Math.max(0, last.takenAt - series[row.firstSeen].takenAt), true) : '—'),
          },
          { key: 'shallow', title: 'Shallow', num: true, value: (row) => row.shallowSize, render: (row) => formatBytes(row.shallowSize) },
          { key: 'retained', title: 'Retained', num: true, value: (row) => row.retainedSize, render: (row) => formatBytes(row.retainedSize) },
          { key: 'share', title: '% heap', num: true, value: (row) => row.retainedSize, cellClass: () => 'muted', render: (row) => formatPercent(row.retainedSize, last.info.totalSize) },
        ]}
      />
      <div className="panel-body row">
        <span className="muted">
          {formatCount(shown.rows.length)} of {formatCount(shown.total)} loaded, oldest first{series.length > 1 ? '' : ' (by id: one snapshot cannot date objects)'}; sorting and the filter apply to the rows loaded
        </span>
        {shown.rows.length < shown.total && (
          <button className="btn small" onClick={() => void load(shown.rows.length)}>
            Show {formatCount(Math.min(PAGE, shown.total - shown.rows.length))} more
          </button>
        )}
      </div>
    </div>
  );
}
