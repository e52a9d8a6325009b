/** Diff of any two snapshots (DevTools' Comparison, Pympler's SummaryTracker) and growth across all of them. */
import { useEffect, useMemo, useState } from 'react';
import type { DiffRow, SeriesRow } from '../../../shared/model';
import { formatBytesDelta } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Workspace } from '../App';
import { Empty, GrowthChart } from '../components';
import { InstancesList } from '../instances';
import { DataTable, formatSignedCount, type Column } from '../table';

/** trackref's own bookkeeping (a record and a WeakRef per tracked object): it grows with them, and is never the leak. */
const TRACKREF_OWN = new Set(['{className, ref}', '{className, createdAt, ref}', 'WeakRef']);

export function DiffView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const snapshots = workspace.snapshots;
  const [beforeId, setBeforeId] = useState<number | null>(snapshots[0]?.id ?? null);
  const [afterId, setAfterId] = useState<number | null>(snapshots[snapshots.length - 1]?.id ?? null);
  const [rows, setRows] = useState<DiffRow[] | null>(null);
  const [series, setSeries] = useState<SeriesRow[] | null>(null);
  const [onlyGrowing, setOnlyGrowing] = useState(false);
  const ids = snapshots.map((s) => s.id).join(',');

  useEffect(() => {
    if (snapshots.length >= 2) {
      setBeforeId((b) => b ?? snapshots[0].id);
      setAfterId(snapshots[snapshots.length - 1].id);
    }
  }, [ids]);
  useEffect(() => {
    if (beforeId === null || afterId === null || beforeId === afterId) return setRows(null);
    call('diff', { beforeId, afterId }).then(setRows).catch(actions.fail);
  }, [beforeId, afterId, actions]);
  useEffect(() => {
    if (snapshots.length < 2) return setSeries(null);
    call('series', { ids: snapshots.map((s) => s.id) }).then(setSeries).catch(actions.fail);
  }, [ids, actions]);

  const grew = useMemo(() => new Set(series?.filter((r) => r.onlyGrew && !TRACKREF_OWN.has(r.className)).map((r) => r.className) ?? []), [series]);
  // Rows with no change at all say nothing; trackref's own bookkeeping is never the leak.
  const shown = useMemo(() => (rows ?? []).filter((r) => (r.added !== 0 || r.removed !== 0 || r.countDelta !== 0 || r.sizeDelta !== 0) && !TRACKREF_OWN.has(r.className) && (!onlyGrowing || grew.has(r.className))), [rows, onlyGrowing, grew]);
  const [selected, setSelected] = useState<DiffRow | null>(null);
  const columns: Array<Column<DiffRow>> = [
    { key: 'className', title: 'Class', value: (r) => r.className, render: (r) => <>{r.className} {grew.has(r.className) && <span className="badge accent">only grew</span>}</> },
    // New and Deleted need one id space: snapshots from separate inspector sessions have neither (null).
    { key: 'added', title: 'New', num: true, value: (r) => r.added ?? -1, render: (r) => (r.added === null ? '—' : r.added.toLocaleString()) },
    { key: 'removed', title: 'Deleted', num: true, value: (r) => r.removed ?? -1, render: (r) => (r.removed === null ? '—' : r.removed.toLocaleString()) },
    { key: 'countDelta', title: 'Δ Count', num: true, value: (r) => r.countDelta, render: (r) => formatSignedCount(r.countDelta), cellClass: (r) => (r.countDelta > 0 ? 'grow' : r.countDelta < 0 ? 'shrink' : '') },
    { key: 'sizeDelta', title: 'Δ Size', num: true, value: (r) => r.sizeDelta, render: (r) => formatBytesDelta(r.sizeDelta), cellClass: (r) => (r.sizeDelta > 0 ? 'grow' : r.sizeDelta < 0 ? 'shrink' : '') },
  ];
  if (snapshots.length < 2) return <Empty title="A diff needs two snapshots">Take another snapshot in the Session tab (or a series every N seconds), or open a second file of the same process.</Empty>;

  const chartRows = (series ?? []).filter((r) => r.onlyGrew && !r.classKey.startsWith(',') && !TRACKREF_OWN.has(r.className)).slice(0, 6);
  return (
    <>
      <div className="panel">
        <div className="panel-head">
          <h3>Growth across {snapshots.length} snapshots</h3>
          <span className="spacer" />
          <span className="muted">{series ? `${grew.size} ${grew.size === 1 ? 'class' : 'classes'} only grew` : 'Measuring growth…'}</span>
        </div>
        <div className="panel-body">
          {!series ? <span className="muted">Measuring growth across the series…</span> : chartRows.length ? <GrowthChart rows={chartRows} /> : <GrowthChart rows={series.slice(0, 6)} />}
        </div>
      </div>
      <div className="panel">
        <div className="panel-head">
          <h3>Diff</h3>
          <select className="field" aria-label="Before" value={beforeId ?? ''} onChange={(e) => setBeforeId(Number(e.target.value))}>
            {snapshots.map((s, i) => (
              <option key={s.id} value={s.id}>#{i + 1} · {new Date(s.takenAt).toLocaleTimeString()}</option>
            ))}
          </select>
          →
          <select className="field" aria-label="After" value={afterId ?? ''} onChange={(e) => setAfterId(Number(e.target.value))}>
            {snapshots.map((s, i) => (
              <option key={s.id} value={s.id}>#{i + 1} · {new Date(s.takenAt).toLocaleTimeString()}</option>
            ))}
          </select>
          <span className="spacer" />
          <label className="row">
            <input type="checkbox" checked={onlyGrowing} onChange={(e) => setOnlyGrowing(e.target.checked)} /> Only classes that always grew
          </label>
        </div>
        {beforeId === afterId && <Empty title="Pick two different snapshots." />}
        {rows && (
          <DataTable
            label="Diff"
            rows={shown}
            columns={columns}
            rowKey={(r) => r.classKey}
            initialSort={{ key: 'sizeDelta', desc: true }}
            selectedKey={selected?.classKey ?? null}
            onRowClick={(r) => setSelected(r)}
            placeholder="Filter classes"
          />
        )}
      </div>
      {selected && afterId !== null && (
        <div className="panel">
          <div className="panel-head">
            <h3>{selected.className} in snapshot #{snapshots.findIndex((s) => s.id === afterId) + 1}, oldest first</h3>
            <span className="spacer" />
            <button className="btn small" onClick={() => actions.show('retainers', { className: selected.className, nodeId: null, snapshotId: afterId })}>
              Retainers of the oldest
            </button>
          </div>
          <InstancesList series={snapshots.slice(0, snapshots.findIndex((s) => s.id === afterId) + 1)} className={selected.classKey} onOpen={(row) => actions.show('retainers', { className: selected.className, nodeId: row.nodeId, snapshotId: afterId })} onError={actions.fail} />
        </div>
      )}
    </>
  );
}
