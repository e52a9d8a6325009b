/**
 * The type summary (DevTools' Summary, muppy's summary): class, count, shallow and retained size, distance.
 * Sortable, filterable and virtualised (TanStack Virtual), so 100 000 rows scroll smoothly. Beside it, the
 * byvia grouping (guppy) of the selected class.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ByViaRow, SummaryRow } from '../../../shared/model';
import { formatBytes } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Focus, Workspace } from '../App';
import { ByViaTable, Empty } from '../components';

type SortKey = 'className' | 'count' | 'shallowSize' | 'retainedSize' | 'distance';
const COLUMNS: Array<{ key: SortKey; title: string; num: boolean; width: string }> = [
  { key: 'className', title: 'Class', num: false, width: 'minmax(0, 1fr)' },
  { key: 'count', title: 'Count', num: true, width: '90px' },
  { key: 'shallowSize', title: 'Shallow', num: true, width: '100px' },
  { key: 'retainedSize', title: 'Retained', num: true, width: '100px' },
  { key: 'distance', title: 'Distance', num: true, width: '80px' },
];
const GRID = COLUMNS.map((c) => c.width).join(' ');

export function SummaryView({ workspace, focus, actions }: { workspace: Workspace; focus: Focus; actions: AppActions }) {
  const snapshots = workspace.snapshots;
  const [snapshotId, setSnapshotId] = useState<number | null>(focus.snapshotId ?? snapshots[snapshots.length - 1]?.id ?? null);
  const [rows, setRows] = useState<SummaryRow[] | null>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'retainedSize', desc: true });
  const [selected, setSelected] = useState<string | null>(focus.className);
  const [byVia, setByVia] = useState<ByViaRow[] | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (snapshotId === null && snapshots.length) setSnapshotId(snapshots[snapshots.length - 1].id);
  }, [snapshots, snapshotId]);
  useEffect(() => {
    if (snapshotId === null) return;
    setRows(null);
    call('summary', { id: snapshotId }).then(setRows).catch(actions.fail);
  }, [snapshotId, actions]);
  useEffect(() => {
    if (snapshotId === null || !selected) return setByVia(null);
    call('byVia', { id: snapshotId, classNameOrKey: selected, limit: 30 }).then(setByVia).catch(actions.fail);
  }, [snapshotId, selected, actions]);

  const visible = useMemo(() => {
    if (!rows) return [];
    const needle = filter.toLowerCase();
    const filtered = needle ? rows.filter((r) => r.className.toLowerCase().includes(needle)) : rows;
    const { key, desc } = sort;
    return [...filtered].sort((a, b) => {
      const order = key === 'className' ? a.className.localeCompare(b.className) : a[key] - b[key];
      return desc ? -order : order;
    });
  }, [rows, filter, sort]);

  const virtualizer = useVirtualizer({ count: visible.length, getScrollElement: () => scroller.current, estimateSize: () => 27, overscan: 20 });

  if (snapshots.length === 0) return <Empty title="No snapshot yet">Take a snapshot in the Session tab, or open a .heapsnapshot file.</Empty>;
  const selectedRow = rows?.find((r) => r.className === selected);
  return (
    <div className="grid-2">
      <div className="panel">
        <div className="panel-head">
          <h3>Type summary</h3>
          <select className="field" value={snapshotId ?? ''} onChange={(e) => setSnapshotId(Number(e.target.value))} aria-label="Snapshot">
            {snapshots.map((s, i) => (
              <option key={s.id} value={s.id}>
                #{i + 1} · {new Date(s.takenAt).toLocaleTimeString()}
              </option>
            ))}
          </select>
          <span className="spacer" />
          <input className="field" placeholder="Filter classes  /" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter classes" style={{ width: 200 }} />
          <span className="muted">{rows ? `${visible.length.toLocaleString()} of ${rows.length.toLocaleString()}` : ''}</span>
        </div>
        <div role="table" aria-label="Type summary" aria-rowcount={visible.length}>
          <div role="row" style={{ display: 'grid', gridTemplateColumns: GRID, borderBottom: '1px solid var(--line)' }}>
            {COLUMNS.map((c) => (
              <div
                key={c.key}
                role="columnheader"
                tabIndex={0}
                className={c.num ? 'num' : ''}
                style={{ padding: '6px 10px', fontSize: 11, textTransform: 'uppercase', color: 'var(--muted)', cursor: 'pointer', letterSpacing: '0.04em' }}
                aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                onClick={() => setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : c.num }))}
                onKeyDown={(e) => e.key === 'Enter' && setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : c.num }))}
              >
                {c.title} {sort.key === c.key ? (sort.desc ? '▾' : '▴') : ''}
              </div>
            ))}
          </div>
          {!rows && <Empty title="Loading the summary…" />}
          <div ref={scroller} className="vscroll">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const r = visible[item.index];
                return (
                  <div
                    key={r.classKey}
                    role="row"
                    tabIndex={0}
                    aria-selected={selected === r.className}
                    className="vrow"
                    onClick={() => setSelected(r.className)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') setSelected(r.className);
                      if (e.key === 'ArrowDown') (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
                      if (e.key === 'ArrowUp') (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
                    }}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      transform: `translateY(${item.start}px)`,
                      height: item.size,
                      display: 'grid',
                      gridTemplateColumns: GRID,
                      alignItems: 'center',
                      borderBottom: '1px solid var(--line)',
                      cursor: 'pointer',
                      background: selected === r.className ? 'var(--blue-soft)' : undefined,
                    }}
                  >
                    <div style={{ padding: '0 10px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={r.className}>
                      {r.className}
                    </div>
                    <div className="num" style={{ padding: '0 10px' }}>{r.count.toLocaleString()}</div>
                    <div className="num" style={{ padding: '0 10px' }}>{formatBytes(r.shallowSize)}</div>
                    <div className="num" style={{ padding: '0 10px' }}>{formatBytes(r.retainedSize)}</div>
                    <div className="num muted" style={{ padding: '0 10px' }}>{r.distance >= 100_000_000 ? `${r.distance - 100_000_000}*` : r.distance}</div>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </div>
      <div className="panel">
        <div className="panel-head">
          <h3>{selected ? `${selected} by referrer` : 'By referrer (byvia)'}</h3>
          <span className="spacer" />
          <button className="btn small" onClick={() => setSelected('(strings)')}>
            All strings
          </button>
          {selected && selected !== '(strings)' && (
            <button className="btn small" onClick={() => actions.show('retainers', { className: selected, nodeId: null, snapshotId })}>
              Retainers of the oldest
            </button>
          )}
        </div>
        {!selected && <Empty title="Pick a class">Its objects grouped by the reference that holds them, as guppy's byvia does.</Empty>}
        {selected && selectedRow && (
          <div className="panel-body muted" style={{ paddingBottom: 0 }}>
            {selectedRow.count.toLocaleString()} objects, {formatBytes(selectedRow.shallowSize)} shallow, {formatBytes(selectedRow.retainedSize)} retained.
          </div>
        )}
        {selected && byVia && (
          <ByViaTable rows={byVia} />
        )}
      </div>
    </div>
  );
}
