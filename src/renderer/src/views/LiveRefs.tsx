/** Live refs (Scrapy's prefs()): classes with counts and the age of the oldest, and their instances. */
import { useCallback, useEffect, useState } from 'react';
import type { LivePreview, LiveRef } from '../../../shared/model';
import { formatAge, formatBytes } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Workspace } from '../App';
import { Empty, PropertyList, Sparkline } from '../components';
import { useSnapshot } from './snapshot';

const SOURCE_TEXT: Record<LiveRef['ageSource'], string> = {
  trackref: 'Exact ages from the trackref module in the target.',
  'allocation-tracking': 'Ages from allocation tracking (about 50 ms resolution).',
  'snapshot-series': 'Ages are lower bounds (≥): the time since the first snapshot that held the object. Take snapshots over time to sharpen them.',
};

export function LiveRefsView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const target = workspace.target!;
  const [rows, setRows] = useState<LiveRef[] | null>(null);
  const [source, setSource] = useState<LiveRef['ageSource'] | null>(null);
  const [auto, setAuto] = useState(true);
  const [ignore, setIgnore] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [instances, setInstances] = useState<{ total: number; items: LivePreview[] } | null>(null);
  const { take, panel } = useSnapshot(workspace, actions);
  const snapshotsKey = workspace.snapshots.map((s) => s.id).join(',');

  const refresh = useCallback(async () => {
    if (workspace.gone) return;
    try {
      const ignored = ignore.split(',').map((s) => s.trim()).filter(Boolean);
      const result = await call('sessionLiveRefs', { sessionId: target.sessionId, ignore: ignored }, actions.setProgress);
      setRows(result.rows);
      setSource(result.source);
    } catch (e) {
      actions.fail(e);
      setAuto(false);
    } finally {
      actions.setProgress(null);
    }
    // snapshotsKey: a new snapshot refreshes the series-based ages.
  }, [target.sessionId, ignore, workspace.gone, actions, snapshotsKey]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    if (!auto || source !== 'trackref' || workspace.gone) return;
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [auto, source, refresh, workspace.gone]);

  const open = async (className: string) => {
    setSelected(className);
    setInstances(null);
    try {
      setInstances(await call('liveInstances', { sessionId: target.sessionId, className, offset: 0, limit: 25 }));
    } catch (e) {
      actions.fail(e);
    }
  };

  const onKey = (event: React.KeyboardEvent<HTMLTableRowElement>, className: string) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void open(className);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = (event.key === 'ArrowDown' ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  };

  return (
    <>
      {panel}
      <div className="grid-2">
        <div className="panel">
          <div className="panel-head">
            <h3>Live references</h3>
            <span className="spacer" />
            <input className="field" placeholder="Ignore classes: Spider, …" value={ignore} onChange={(e) => setIgnore(e.target.value)} aria-label="Ignore classes" style={{ width: 190 }} />
            {source === 'trackref' ? (
              <label className="row">
                <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Auto-refresh
              </label>
            ) : (
              <button className="btn" onClick={() => void take()} disabled={!!workspace.gone}>
                Snapshot now
              </button>
            )}
            <button className="btn" onClick={() => void refresh()} disabled={!!workspace.gone}>
              Refresh
            </button>
          </div>
          {source && <div className="panel-body muted" style={{ paddingBottom: 0 }}>{SOURCE_TEXT[source]}</div>}
          {rows === null && <Empty title="Counting live objects…" />}
          {rows?.length === 0 && <Empty title="No tracked classes have live objects." />}
          {rows && rows.length > 0 && (
            <table className="data" aria-label="Live references">
              <thead>
                <tr>
                  <th>Class</th>
                  <th className="num">Count</th>
                  <th>Trend</th>
                  <th className="num">Oldest</th>
                  <th className="num">Shallow</th>
                  <th className="num">Retained</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.className} className="clickable" tabIndex={0} aria-selected={selected === r.className} onClick={() => void open(r.className)} onKeyDown={(e) => onKey(e, r.className)}>
                    <td>{r.className}</td>
                    <td className="num" data-testid={`count-${r.className}`}>{r.count.toLocaleString()}</td>
                    <td>
                      <Sparkline values={r.history} />
                    </td>
                    <td className="num" data-testid={`age-${r.className}`} data-age-ms={r.oldestAgeMs ?? ''}>
                      {formatAge(r.oldestAgeMs, r.ageIsLowerBound)}
                    </td>
                    <td className="num">{r.shallowSize === null ? '—' : formatBytes(r.shallowSize)}</td>
                    <td className="num">{r.retainedSize === null ? '—' : formatBytes(r.retainedSize)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="panel">
          <div className="panel-head">
            <h3>{selected ? `${selected}, oldest first` : 'Instances'}</h3>
            <span className="spacer" />
            {selected && (
              <button
                className="btn small"
                onClick={async () => {
                  if (workspace.snapshots.length === 0) await take();
                  actions.show('retainers', { className: selected, nodeId: null });
                }}
              >
                Why is the oldest alive?
              </button>
            )}
          </div>
          {!selected && <Empty title="Pick a class">Its live instances appear here, oldest first, with their properties read from the running process.</Empty>}
          {selected && !instances && <Empty title="Reading instances…" />}
          {instances && (
            <div className="panel-body" style={{ maxHeight: 560, overflow: 'auto' }}>
              <p className="muted" style={{ marginTop: 0 }}>{instances.total.toLocaleString()} live</p>
              {instances.items.map((item, i) => (
                <div key={`${item.nodeId ?? i}-${i}`} className="panel" style={{ marginBottom: 8 }}>
                  <div className="panel-body">
                    <div className="row">
                      <b>{item.className}</b>
                      {item.nodeId !== null && <span className="mono muted">@{item.nodeId}</span>}
                      <span className="spacer" />
                      {item.ageMs !== null && <span className="badge accent">{formatAge(item.ageMs, source !== 'trackref')} old</span>}
                    </div>
                    <PropertyList properties={item.properties} className="props mono" />
                  </div>
                </div>
              ))}
            </div>
          )}
        </div>
      </div>
    </>
  );
}
