/** The attached target: who it is, its heap over time, its snapshots, a series, and allocation tracking. */
import { useEffect, useRef, useState } from 'react';
import { formatBytes } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Workspace } from '../App';
import { HeapChart } from '../components';
import { DataTable } from '../table';
import { useSnapshot } from './snapshot';
import { WorkersPanel } from './Workers';

export function SessionView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const target = workspace.target!;
  const { take, taking, panel } = useSnapshot(workspace, actions);
  const [every, setEvery] = useState(10);
  const [series, setSeries] = useState(false);
  const [tracking, setTracking] = useState(false);
  const takeRef = useRef(take);
  takeRef.current = take;

  useEffect(() => {
    if (!series || workspace.gone) return;
    const timer = setInterval(() => void takeRef.current(true), every * 1000);
    return () => clearInterval(timer);
  }, [series, every, workspace.gone]);

  const toggleTracking = async () => {
    try {
      await call('setTracking', { sessionId: target.sessionId, enabled: !tracking });
      setTracking(!tracking);
      if (!tracking) actions.notify('Allocation tracking is on: ages are measured for objects allocated from now on. It slows big heaps a lot; turn it off when done.');
    } catch (e) {
      actions.fail(e);
    }
  };


  const last = workspace.heap[workspace.heap.length - 1];
  return (
    <>
      {panel}
      <div className="grid-2">
        <div className="panel">
          <div className="panel-head">
            <h3>Heap in use</h3>
            <span className="spacer" />
            {last && <span className="muted">{formatBytes(last.usedSize)} of {formatBytes(last.totalSize)}</span>}
          </div>
          <div className="panel-body">
            <HeapChart samples={workspace.heap} />
          </div>
        </div>
        <div className="panel">
          <div className="panel-head">
            <h3>Target</h3>
          </div>
          <div className="panel-body kv">
            <span className="muted">Title</span>
            <span>{target.title}</span>
            {target.worker && (
              <>
                <span className="muted">Thread</span>
                <span>worker {target.worker.workerId} of the process (its own heap)</span>
              </>
            )}
            <span className="muted">PID</span>
            <span className="mono">{target.pid ?? '—'}</span>
            <span className="muted">Runtime</span>
            <span>{target.nodeVersion ? `Node.js ${target.nodeVersion}` : target.kind}</span>
            <span className="muted">Attached via</span>
            <span>{target.via}</span>
            <span className="muted">Inspector</span>
            <span className="mono" style={{ wordBreak: 'break-all' }}>{target.url}</span>
            <span className="muted">Ages from</span>
            <span>{target.hasTrackref ? 'trackref (exact)' : tracking ? 'allocation tracking' : 'snapshot series (lower bounds)'}</span>
          </div>
        </div>
      </div>
      {!target.worker && target.kind === 'node' && <WorkersPanel target={target} gone={!!workspace.gone} actions={actions} />}
      <div className="panel">
        <div className="panel-head">
          <h3>Snapshots</h3>
          <span className="spacer" />
          <button className="btn primary" onClick={() => void take()} disabled={taking || !!workspace.gone}>
            {taking ? 'Taking…' : 'Take snapshot'}
          </button>
          <label className="row">
            <input type="checkbox" checked={series} onChange={(e) => setSeries(e.target.checked)} disabled={!!workspace.gone} /> every
            <input className="field" type="number" min={2} max={3600} value={every} onChange={(e) => setEvery(Math.max(2, Number(e.target.value) || 10))} style={{ width: 64 }} aria-label="Seconds between snapshots" /> s
          </label>
          <button className="btn" onClick={() => void toggleTracking()} disabled={!!workspace.gone} title="Exact ages for new objects; slows big heaps a lot">
            {tracking ? 'Stop allocation tracking' : 'Track allocations…'}
          </button>
        </div>
        <div className="panel-body">
          {workspace.snapshots.length === 0 ? (
            <p className="muted">No snapshot yet. A snapshot freezes the target while V8 writes it (about 20 s for a 200 MB heap) and can double its memory; you will be warned first when it is big.</p>
          ) : (
            <DataTable
              label="Snapshots"
              rows={workspace.snapshots.map((s, i) => ({ ...s, n: i + 1 }))}
              rowKey={(s) => String(s.id)}
              filterText={(s) => `#${s.n} ${new Date(s.takenAt).toLocaleTimeString()} ${s.info.file}`}
              placeholder="Filter snapshots"
              columns={[
                { key: 'n', title: '#', value: (s) => s.n, render: (s) => String(s.n) },
                { key: 'taken', title: 'Taken', value: (s) => s.takenAt, render: (s) => new Date(s.takenAt).toLocaleTimeString() },
                { key: 'objects', title: 'Objects', num: true, value: (s) => s.info.nodeCount },
                { key: 'reachable', title: 'Reachable', num: true, value: (s) => s.info.totalSize, render: (s) => formatBytes(s.info.totalSize) },
                {
                  key: 'file',
                  title: 'Saved as',
                  value: (s) => s.info.file,
                  cellClass: () => 'mono muted',
                  cellProps: (s) => ({ title: s.info.file }),
                  render: (s) => (
                    <>
                      {s.info.file}{' '}
                      <button className="btn small" data-save-snapshot onClick={() => void actions.saveSnapshot(s.id)}>
                        Save…
                      </button>
                    </>
                  ),
                },
              ]}
            />
          )}
        </div>
      </div>
    </>
  );
}
