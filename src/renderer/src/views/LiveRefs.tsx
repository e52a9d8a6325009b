/** Live refs (Scrapy's prefs()): classes with counts and the age of the oldest, and their instances. */
import { useCallback, useEffect, useState } from 'react';
import type { LivePreview, LiveRef } from '../../../shared/model';
import { formatAge, formatBytes } from '../../../shared/format';
import { ApiError, call } from '../api';
import type { AppActions, Workspace } from '../App';
import { Empty, PropertyList, Sparkline } from '../components';
import { DataTable, formatCount, type Column } from '../table';
import { useSnapshot } from './snapshot';

const SOURCE_TEXT: Record<LiveRef['ageSource'], string> = {
  trackref: 'Exact ages from the trackref module in the target.',
  'allocation-tracking': 'Ages from allocation tracking (about 50 ms resolution).',
  'snapshot-series': 'Ages are lower bounds (≥): the time since the first snapshot that held the object. Take snapshots over time to sharpen them.',
};

const PAGE = 25;
/**
 * trackref's own bookkeeping: each record (V8 names its shape `{className, ref}`) holds a WeakRef. They grow with
 * the objects they track, and are never the leak.
 */
const TRACKREF_OWN = new Set(['{className, ref}', '{className, createdAt, ref}', 'WeakRef']);

export function LiveRefsView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const target = workspace.target!;
  const [rows, setRows] = useState<LiveRef[] | null>(null);
  const [source, setSource] = useState<LiveRef['ageSource'] | null>(null);
  const [auto, setAuto] = useState(true);
  const [ignore, setIgnore] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [instances, setInstances] = useState<{ className: string; total: number; items: LivePreview[] } | null>(null);
  const [gcFirst, setGcFirst] = useState(false);
  const [afterGc, setAfterGc] = useState<boolean | null>(null);
  const [collecting, setCollecting] = useState(false);
  const { take, panel } = useSnapshot(workspace, actions);
  const snapshotsKey = workspace.snapshots.map((s) => s.id).join(',');

  const refresh = useCallback(async () => {
    if (workspace.gone) return;
    try {
      const ignored = ignore.split(',').map((s) => s.trim()).filter(Boolean);
      const result = await call('sessionLiveRefs', { sessionId: target.sessionId, ignore: ignored, collectGarbage: gcFirst }, actions.setProgress);
      setRows(result.rows.filter((r) => !TRACKREF_OWN.has(r.className)));
      setSource(result.source);
      setAfterGc(result.afterGc);
    } catch (e) {
      setAuto(false);
      // Counting would take a snapshot the heap's size warns about: ask, as the snapshot button does, and
      // count once the user has taken it (a new snapshot refreshes this view).
      if (e instanceof ApiError && e.info.code === 'SNAPSHOT_NOT_CONFIRMED') void take();
      else actions.fail(e);
    } finally {
      actions.setProgress(null);
    }
    // snapshotsKey: a new snapshot refreshes the series-based ages.
  }, [target.sessionId, ignore, workspace.gone, actions, snapshotsKey, gcFirst]);

  const collectGarbage = async () => {
    setCollecting(true);
    try {
      await call('collectGarbage', { sessionId: target.sessionId });
      const ignored = ignore.split(',').map((s) => s.trim()).filter(Boolean);
      const result = await call('sessionLiveRefs', { sessionId: target.sessionId, ignore: ignored }, actions.setProgress);
      setRows(result.rows.filter((r) => !TRACKREF_OWN.has(r.className)));
      setSource(result.source);
      setAfterGc(true);
    } catch (e) {
      actions.fail(e);
    } finally {
      setCollecting(false);
      actions.setProgress(null);
    }
  };

  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    if (!auto || source !== 'trackref' || workspace.gone) return;
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [auto, source, refresh, workspace.gone]);

  const open = async (className: string, offset = 0) => {
    if (offset === 0) {
      setSelected(className);
      setInstances(null);
    }
    try {
      const page = await call('liveInstances', { sessionId: target.sessionId, className, offset, limit: PAGE });
      setInstances((old) => (offset > 0 && old?.className === className ? { className, total: page.total, items: [...old.items, ...page.items] } : { className, total: page.total, items: page.items }));
    } catch (e) {
      actions.fail(e);
    }
  };

  const columns: Array<Column<LiveRef>> = [
    { key: 'className', title: 'Class', value: (r) => r.className },
    { key: 'count', title: 'Count', num: true, value: (r) => r.count, cellProps: (r) => ({ 'data-testid': `count-${r.className}` }) },
    { key: 'trend', title: 'Trend', value: (r) => r.history[r.history.length - 1] - r.history[0], render: (r) => <Sparkline values={r.history} /> },
    { key: 'oldest', title: 'Oldest', num: true, value: (r) => r.oldestAgeMs ?? -1, render: (r) => formatAge(r.oldestAgeMs, r.ageIsLowerBound), cellProps: (r) => ({ 'data-testid': `age-${r.className}`, 'data-age-ms': r.oldestAgeMs ?? '' }) },
    { key: 'shallowSize', title: 'Shallow', num: true, value: (r) => r.shallowSize ?? -1, render: (r) => (r.shallowSize === null ? '—' : formatBytes(r.shallowSize)) },
    { key: 'retainedSize', title: 'Retained', num: true, value: (r) => r.retainedSize ?? -1, render: (r) => (r.retainedSize === null ? '—' : formatBytes(r.retainedSize)) },
  ];

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
            <label className="row" title="Run a full GC in the target before each count (it pauses the target briefly)">
              <input type="checkbox" checked={gcFirst} onChange={(e) => setGcFirst(e.target.checked)} /> GC before counting
            </label>
            <button className="btn" onClick={() => void collectGarbage()} disabled={!!workspace.gone || collecting}>
              {collecting ? 'Collecting…' : 'Collect garbage'}
            </button>
            <button className="btn" onClick={() => void refresh()} disabled={!!workspace.gone}>
              Refresh
            </button>
          </div>
          {source && (
            <div className="panel-body muted" style={{ paddingBottom: 0 }}>
              {SOURCE_TEXT[source]}{' '}
              <span data-testid="after-gc">{afterGc ? 'Counted right after a full GC.' : 'Counted without a GC first: dead objects not yet collected are included.'}</span>
            </div>
          )}
          {rows === null && <Empty title="Counting live objects…" />}
          {rows?.length === 0 && <Empty title="No tracked classes have live objects." />}
          {rows && rows.length > 0 && (
            <DataTable label="Live references" rows={rows} columns={columns} rowKey={(r) => r.className} selectedKey={selected} onRowClick={(r) => void open(r.className)} placeholder="Filter classes" />
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
              <p className="muted" style={{ marginTop: 0 }}>
                {formatCount(instances.total)} live{instances.items.length < instances.total ? `, the oldest ${formatCount(instances.items.length)} shown` : ''}
              </p>
              {instances.items.map((item, i) => (
                <div key={`${item.nodeId ?? i}-${i}`} className="panel" style={{ marginBottom: 8 }} data-testid="instance" data-node-id={item.nodeId ?? ''}>
                  <div className="panel-body">
                    <div className="row">
                      <b>{item.className}</b>
                      {item.nodeId !== null && <span className="mono muted">@{item.nodeId}</span>}
                      <span className="spacer" />
                      {item.ageMs !== null && <span className="badge accent">{formatAge(item.ageMs, source !== 'trackref')} old</span>}
                    </div>
                    <PropertyList properties={item.properties} className="props mono" />
                    {item.nodeId !== null && workspace.snapshots.length > 0 && (
                      <button className="link-button" onClick={() => actions.show('retainers', { className: item.className, nodeId: item.nodeId })}>
                        Why is it alive?
                      </button>
                    )}
                  </div>
                </div>
              ))}
              {instances.items.length < instances.total && (
                <button className="btn small" onClick={() => void open(instances.className, instances.items.length)}>
                  Show {formatCount(Math.min(PAGE, instances.total - instances.items.length))} more
                </button>
              )}
            </div>
          )}
        </div>
      </div>
    </>
  );
}
