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
import { ByViaTable, Empty, useSnapshotChoice } from '../components';
import { InstancesList } from '../instances';
import { formatCount, formatPercent } from '../table';

type SortKey = 'className' | 'count' | 'shallowSize' | 'retainedSize' | 'distance';
const COLUMNS: Array<{ key: SortKey | 'shallowShare' | 'retainedShare'; sortBy: SortKey; title: string; num: boolean; width: string }> = [
  { key: 'className', sortBy: 'className', title: 'Class', num: false, width: 'minmax(0, 1fr)' },
  { key: 'count', sortBy: 'count', title: 'Count', num: true, width: '82px' },
  { key: 'shallowSize', sortBy: 'shallowSize', title: 'Shallow', num: true, width: '96px' },
  { key: 'shallowShare', sortBy: 'shallowSize', title: '%', num: true, width: '62px' },
  { key: 'retainedSize', sortBy: 'retainedSize', title: 'Retained', num: true, width: '100px' },
  { key: 'retainedShare', sortBy: 'retainedSize', title: '%', num: true, width: '62px' },
  { key: 'distance', sortBy: 'distance', title: 'Distance', num: true, width: '74px' },
];
const GRID = COLUMNS.map((c) => c.width).join(' ');

export function SummaryView({ workspace, focus, actions }: { workspace: Workspace; focus: Focus; actions: AppActions }) {
  const snapshots = workspace.snapshots;
  const { snapshot, picker } = useSnapshotChoice(snapshots, focus.snapshotId);
  const snapshotId = snapshot?.id ?? null;
  // Rows carry the id of the snapshot they came from: rows of another snapshot are never shown.
  const [loaded, setLoaded] = useState<{ snapshotId: number; rows: SummaryRow[] } | null>(null);
  const rows = loaded && loaded.snapshotId === snapshotId ? loaded.rows : null;
  const [showInstances, setShowInstances] = useState(false);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'retainedSize', desc: true });
  const [selected, setSelected] = useState<string | null>(focus.className);
  const [byVia, setByVia] = useState<ByViaRow[] | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (snapshotId === null) return;
    let current = true;
    call('summary', { id: snapshotId })
      .then((value) => current && setLoaded({ snapshotId, rows: value }))
      .catch(actions.fail);
    return () => {
      current = false;
    };
  }, [snapshotId, actions]);
  useEffect(() => {
    setByVia(null);
    if (snapshotId === null || !selected) return;
    let current = true;
    call('byVia', { id: snapshotId, classNameOrKey: selected, limit: 30 })
      .then((value) => current && setByVia(value))
      .catch(actions.fail);
    return () => {
      current = false;
    };
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

  if (!snapshot) return <Empty title="No snapshot yet">Take a snapshot in the Session tab, or open a .heapsnapshot file.</Empty>;
  const total = snapshot.info.totalSize;
  const series = snapshots.slice(0, snapshots.findIndex((s) => s.id === snapshot.id) + 1);
  const selectedRow = rows?.find((r) => r.className === selected);
  return (
    <div className="grid-2">
      <div className="panel">
        <div className="panel-head">
          <h3>Type summary</h3>
          {picker}
          <span className="spacer" />
          <input className="field" placeholder="Filter classes  /" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter classes" style={{ width: 200 }} />
          <span className="muted">{rows ? `${formatCount(visible.length)} of ${formatCount(rows.length)}` : ''}</span>
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
                aria-sort={sort.key === c.sortBy ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                title={c.title === '%' ? 'Share of the heap' : undefined}
                onClick={() => setSort((s) => ({ key: c.sortBy, desc: s.key === c.sortBy ? !s.desc : c.num }))}
                onKeyDown={(e) => e.key === 'Enter' && setSort((s) => ({ key: c.sortBy, desc: s.key === c.sortBy ? !s.desc : c.num }))}
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
                    <div className="num" style={{ padding: '0 10px' }}>{formatCount(r.count)}</div>
                    <div className="num" style={{ padding: '0 10px' }}>{formatBytes(r.shallowSize)}</div>
                    <div className="num muted" style={{ padding: '0 6px' }}>{formatPercent(r.shallowSize, total)}</div>
                    <div className="num" style={{ padding: '0 10px' }}>{formatBytes(r.retainedSize)}</div>
                    <div className="num muted" style={{ padding: '0 6px' }}>{formatPercent(r.retainedSize, total)}</div>
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
            {formatCount(selectedRow.count)} objects, {formatBytes(selectedRow.shallowSize)} shallow, {formatBytes(selectedRow.retainedSize)} retained ({formatPercent(selectedRow.retainedSize, total)} of the heap).{' '}
            <button className="link-button" aria-expanded={showInstances} onClick={() => setShowInstances((v) => !v)}>
              {showInstances ? 'Hide instances' : 'Show instances'}
            </button>
          </div>
        )}
        {selected && selectedRow && showInstances && (
          <InstancesList series={series} className={selectedRow.classKey} onOpen={(row) => actions.show('retainers', { className: selectedRow.className, nodeId: row.nodeId, snapshotId })} onError={actions.fail} />
        )}
        {selected && byVia && (
          <ByViaTable rows={byVia} />
        )}
      </div>
    </div>
  );
}
