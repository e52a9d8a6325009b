/** Diff of any two snapshots (DevTools' Comparison, Pympler's SummaryTracker) and growth across all of them. */
import { useEffect, useMemo, useState } from 'react';
import type { DiffRow, SeriesRow } from '../../../shared/model';
import { formatBytesDelta, formatDelta } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Workspace } from '../App';
import { Empty, GrowthChart } from '../components';

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

  const grew = useMemo(() => new Set(series?.filter((r) => r.onlyGrew).map((r) => r.className) ?? []), [series]);
  const shown = useMemo(() => (rows ?? []).filter((r) => !onlyGrowing || grew.has(r.className)).slice(0, 500), [rows, onlyGrowing, grew]);
  if (snapshots.length < 2) return <Empty title="A diff needs two snapshots">Take another snapshot in the Session tab (or a series every N seconds), or open a second file of the same process.</Empty>;

  const chartRows = (series ?? []).filter((r) => r.onlyGrew && !r.classKey.startsWith(',')).slice(0, 6);
  return (
    <>
      <div className="panel">
        <div className="panel-head">
          <h3>Growth across {snapshots.length} snapshots</h3>
          <span className="spacer" />
          <span className="muted">{grew.size} classes only grew</span>
        </div>
        <div className="panel-body">
          {chartRows.length ? <GrowthChart rows={chartRows} /> : <GrowthChart rows={(series ?? []).slice(0, 6)} />}
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
          <table className="data" aria-label="Diff">
            <thead>
              <tr>
                <th>Class</th>
                <th className="num">New</th>
                <th className="num">Deleted</th>
                <th className="num">Δ Count</th>
                <th className="num">Δ Size</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.classKey} className="clickable" tabIndex={0} onClick={() => actions.show('retainers', { className: r.className, nodeId: null, snapshotId: afterId })} onKeyDown={(e) => e.key === 'Enter' && actions.show('retainers', { className: r.className, nodeId: null, snapshotId: afterId })}>
                  <td>
                    {r.className} {grew.has(r.className) && <span className="badge accent">only grew</span>}
                  </td>
                  <td className="num">{r.added?.toLocaleString() ?? '—'}</td>
                  <td className="num">{r.removed?.toLocaleString() ?? '—'}</td>
                  <td className={`num ${r.countDelta > 0 ? 'grow' : r.countDelta < 0 ? 'shrink' : ''}`}>{formatDelta(r.countDelta)}</td>
                  <td className={`num ${r.sizeDelta > 0 ? 'grow' : r.sizeDelta < 0 ? 'shrink' : ''}`}>{formatBytesDelta(r.sizeDelta)}</td>
                  <td className="muted">retainers →</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
