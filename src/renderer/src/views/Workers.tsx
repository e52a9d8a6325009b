/** The worker threads of the attached process: each has its own heap, opened as a session of its own. */
import { useCallback, useEffect, useState } from 'react';
import type { TargetInfo, WorkerThreadInfo } from '../../../shared/model';
import { call } from '../api';
import type { AppActions } from '../App';
import { DataTable, type Column } from '../table';

export function WorkersPanel({ target, gone, actions }: { target: TargetInfo; gone: boolean; actions: AppActions }) {
  const [workers, setWorkers] = useState<WorkerThreadInfo[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [unknown, setUnknown] = useState<string | null>(null);

  // A target that cannot list workers (not Node, or busy) says so here rather than as an error.
  const refresh = useCallback(() => {
    call('listWorkers', { sessionId: target.sessionId })
      .then((list) => {
        setWorkers(list);
        setUnknown(null);
      })
      .catch((e: unknown) => setUnknown((e as { message?: string }).message ?? String(e)));
  }, [target.sessionId]);
  useEffect(() => {
    if (!gone) refresh();
  }, [refresh, gone]);

  const open = async (worker: WorkerThreadInfo) => {
    setBusy(true);
    try {
      actions.openTarget(await call('attachWorker', { sessionId: target.sessionId, workerId: worker.workerId }));
    } catch (e) {
      actions.fail(e);
      refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Worker threads</h3>
        <span className="spacer" />
        <button className="btn small" onClick={refresh} disabled={gone}>
          Refresh
        </button>
      </div>
      <div className="panel-body">
        {unknown !== null && <p className="muted">Its workers are unknown: {unknown}</p>}
        {workers === null && unknown === null && <p className="muted">Asking the process for its workers…</p>}
        {workers?.length === 0 && <p className="muted">No worker threads: everything is on the main thread.</p>}
        {workers && workers.length > 0 && (
          <>
            <p className="muted">Each worker has its own heap, which the main thread's snapshots do not contain. Open one to take its snapshots and see its live refs.</p>
            <DataTable
              label="Worker threads"
              rows={workers}
              rowKey={(w) => w.workerId}
              filterText={(w) => `${w.workerId} ${w.title} ${w.url}`}
              placeholder="Filter workers"
              columns={
                [
                  // Ids are names, not quantities: never grouped.
                  { key: 'id', title: 'Id', num: true, value: (w) => Number(w.workerId) || 0, render: (w) => w.workerId, cellClass: () => 'mono' },
                  { key: 'title', title: 'Title', value: (w) => w.title },
                  { key: 'script', title: 'Script', value: (w) => w.url, cellClass: () => 'mono muted', cellProps: (w) => ({ title: w.url }) },
                  {
                    key: 'open',
                    title: '',
                    value: () => '',
                    render: (w) => (
                      <button className="btn small" disabled={busy || gone} onClick={() => void open(w)}>
                        Open worker {w.workerId}
                      </button>
                    ),
                  },
                ] satisfies Array<Column<WorkerThreadInfo>>
              }
            />
          </>
        )}
      </div>
    </div>
  );
}
