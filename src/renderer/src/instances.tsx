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
import { formatCount, formatPercent } from './table';

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
      <table className="data" aria-label={`Instances of ${className}`}>
        <thead>
          <tr>
            <th>Object</th>
            <th className="num">Age</th>
            <th className="num">Shallow</th>
            <th className="num">Retained</th>
            <th className="num">% heap</th>
          </tr>
        </thead>
        <tbody>
          {shown.rows.map((row) => (
            <tr key={row.nodeId} className="clickable" tabIndex={0} onClick={() => onOpen(row)} onKeyDown={(e) => e.key === 'Enter' && onOpen(row)} title="Open its retainers">
              <td>
                <span className="mono">@{row.nodeId}</span> <span className="muted">{row.name !== row.className ? row.name.slice(0, 40) : ''}</span>
              </td>
              <td className="num muted" title={`First seen in snapshot #${row.firstSeen + 1}`}>
                {series.length > 1 ? `${formatAge(Math.max(0, last.takenAt - series[row.firstSeen].takenAt), true)}` : '—'}
              </td>
              <td className="num">{formatBytes(row.shallowSize)}</td>
              <td className="num">{formatBytes(row.retainedSize)}</td>
              <td className="num muted">{formatPercent(row.retainedSize, last.info.totalSize)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="panel-body row">
        <span className="muted">
          {formatCount(shown.rows.length)} of {formatCount(shown.total)}, oldest first{series.length > 1 ? '' : ' (by id: one snapshot cannot date objects)'}
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
