/**
 * The app shell: one workspace at a time (an attached target with its snapshots, or opened snapshot
 * files), tabs for the views, error banners that name a remedy, and light and dark themes.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { LoadedSnapshot } from '../../shared/engine-api';
import type { ErrorInfo } from '../../shared/errors';
import type { HeapUsage, Progress, TargetInfo } from '../../shared/model';
import { formatBytes } from '../../shared/format';
import { ApiError, call, finishSave, isDesktop, on, openLocalFile } from './api';
import { ErrorBanner, Notice, ProgressBar, errorInfo } from './components';
import { TargetsView } from './views/Targets';
import { SessionView } from './views/Session';
import { LiveRefsView } from './views/LiveRefs';
import { SummaryView } from './views/Summary';
import { DiffView } from './views/Diff';
import { RetainersView } from './views/Retainers';
import { ConsoleView } from './views/Console';
import { AllocationsView } from './views/Allocations';
import { ContainmentView, DominatorsView, StatisticsView } from './views/Trees';
import { SuspectsView } from './views/Suspects';

export type Tab = 'suspects' | 'session' | 'live' | 'summary' | 'diff' | 'retainers' | 'dominators' | 'containment' | 'statistics' | 'console' | 'allocations';

/** What the views share: the workspace, and ways to act on it. */
export interface Workspace {
  target: TargetInfo | null;
  gone: string | null;
  snapshots: LoadedSnapshot[];
  heap: HeapUsage[];
}

/** The focus the views pass to each other: a class, an object. */
export interface Focus {
  className: string | null;
  nodeId: number | null;
  snapshotId: number | null;
}

export interface AppActions {
  fail: (error: unknown) => void;
  notify: (message: string) => void;
  /** Saves a snapshot as a file: a native save dialog in the desktop app, a download from the web shell. */
  saveSnapshot: (id: number) => Promise<void>;
  show: (tab: Tab, focus?: Partial<Focus>) => void;
  addSnapshot: (snapshot: LoadedSnapshot) => void;
  setProgress: (progress: Progress | null) => void;
  /** Makes an attached session (a worker thread of this process) the workspace. */
  openTarget: (target: TargetInfo) => void;
}

const TABS: Array<{ id: Tab; label: string; live?: boolean; series?: boolean }> = [
  // First once there is a series: what grows in every interval is where a leak hunt starts.
  { id: 'suspects', label: 'Suspects', series: true },
  { id: 'session', label: 'Session', live: true },
  { id: 'live', label: 'Live refs', live: true },
  { id: 'summary', label: 'Type summary' },
  { id: 'diff', label: 'Diff & growth' },
  { id: 'retainers', label: 'Retainers' },
  { id: 'dominators', label: 'Dominators' },
  { id: 'containment', label: 'Containment' },
  { id: 'statistics', label: 'Statistics' },
  { id: 'console', label: 'Console', live: true },
  { id: 'allocations', label: 'Allocations', live: true },
];

/** Live tabs need an attached target; Suspects needs a series (two snapshots or more). */
function tabVisible(tab: (typeof TABS)[number], workspace: Workspace | null): boolean {
  return (!tab.live || Boolean(workspace?.target)) && (!tab.series || (workspace?.snapshots.length ?? 0) >= 2);
}

function initialTheme(): 'light' | 'dark' {
  const saved = localStorage.getItem('le-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const [theme, setTheme] = useState(initialTheme);
  const [workspace, setWorkspace] = useState<Workspace | null>(null);
  const [tab, setTab] = useState<Tab>('live');
  const [focus, setFocus] = useState<Focus>({ className: null, nodeId: null, snapshotId: null });
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [notices, setNotices] = useState<string[]>([]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('le-theme', theme);
  }, [theme]);

  const fail = useCallback((e: unknown) => setError(errorInfo(e)), []);
  const notify = useCallback((message: string) => setNotices((list) => [...list.filter((m) => m !== message), message].slice(-3)), []);
  const saveSnapshot = useCallback(
    async (id: number) => {
      try {
        const saved = finishSave(await call('saveSnapshot', { id }));
        if (saved) notify(saved);
      } catch (e) {
        fail(e);
      }
    },
    [fail, notify],
  );
  const show = useCallback((next: Tab, nextFocus?: Partial<Focus>) => {
    setTab(next);
    if (nextFocus) setFocus((f) => ({ ...f, ...nextFocus }));
  }, []);
  const addSnapshot = useCallback((snapshot: LoadedSnapshot) => {
    setWorkspace((w) => ({ ...(w ?? { target: null, gone: null, heap: [] }), snapshots: [...(w?.snapshots ?? []).filter((s) => s.id !== snapshot.id), snapshot].sort((a, b) => a.takenAt - b.takenAt) }));
  }, []);
  const openTarget = useCallback((target: TargetInfo) => {
    setWorkspace({ target, gone: null, snapshots: [], heap: [] });
    setTab('session');
  }, []);
  /** Closes a snapshot: the engine frees it, and no view can show it any more. */
  const closeSnapshot = useCallback(
    async (id: number) => {
      setWorkspace((w) => (w ? { ...w, snapshots: w.snapshots.filter((s) => s.id !== id) } : w));
      setFocus((f) => (f.snapshotId === id ? { ...f, snapshotId: null, nodeId: null } : f));
      await call('forgetSnapshot', { id }).catch(fail);
    },
    [fail],
  );
  const actions: AppActions = useMemo(() => ({ fail, notify, saveSnapshot, show, addSnapshot, setProgress, openTarget }), [fail, notify, saveSnapshot, show, addSnapshot, openTarget]);

  useEffect(() => {
    const stops = [
      on('notice', ({ message }) => notify(message)),
      on('heapUsage', ({ sessionId, usage }) =>
        setWorkspace((w) => (w?.target?.sessionId === sessionId ? { ...w, heap: [...w.heap, usage].slice(-300) } : w)),
      ),
      on('sessionGone', ({ sessionId, reason }) => setWorkspace((w) => (w?.target?.sessionId === sessionId ? { ...w, gone: reason } : w))),
      on('snapshotsOpened', ({ snapshots }) => {
        for (const s of snapshots) addSnapshot(s);
        // A series opened at once is read from its suspects; a single file from its summary.
        setTab(snapshots.length >= 2 ? 'suspects' : 'summary');
      }),
      on('menu', ({ action }) => {
        if (action === 'export-report') document.getElementById('export-report')?.click();
        if (action === 'save-snapshot') {
          // Save the latest live snapshot: the Session tab lists each with its Save button.
          setTab('session');
          requestAnimationFrame(() => {
            const links = document.querySelectorAll<HTMLButtonElement>('[data-save-snapshot]');
            links[links.length - 1]?.click();
          });
        }
      }),
    ];
    call('initialSnapshots', {}, setProgress)
      .then((loaded) => {
        setProgress(null);
        if (loaded.length) {
          for (const s of loaded) addSnapshot(s);
          setTab(loaded.length >= 2 ? 'suspects' : 'summary');
        }
      })
      .catch(fail);
    return () => stops.forEach((stop) => stop());
  }, [addSnapshot, fail, notify]);

  // Keyboard: Ctrl/Cmd + 1…6 switches tabs.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || !workspace) return;
      const index = Number(event.key) - 1;
      const visible = TABS.filter((t) => tabVisible(t, workspace));
      if (index >= 0 && index < visible.length) {
        event.preventDefault();
        setTab(visible[index].id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [workspace]);

  const openFiles = useCallback(
    async (files: File[]) => {
      for (const [k, file] of files.entries()) {
        try {
          const loaded = await openLocalFile(file, setProgress);
          addSnapshot(loaded);
          // Several files opened at once are a series: read from its suspects once the second is in.
          setTab(k >= 1 ? 'suspects' : 'summary');
        } catch (e) {
          fail(e);
        } finally {
          setProgress(null);
        }
      }
    },
    [addSnapshot, fail],
  );

  const attached = (target: TargetInfo) => {
    setWorkspace({ target, gone: null, snapshots: [], heap: [] });
    setTab('live');
    setError(null);
  };

  const [confirmDetach, setConfirmDetach] = useState(false);
  /** Leaves the workspace: detaches from its target and frees its snapshots in the engine. Asks first when snapshots would be lost. */
  const detach = async (confirmed = false) => {
    if (!workspace) return;
    if (!confirmed && workspace.snapshots.length > 0) {
      setConfirmDetach(true);
      return;
    }
    setConfirmDetach(false);
    // A worker's session goes with its process's: detaching detaches both.
    if (workspace.target && !workspace.gone) await call('detach', { sessionId: workspace.target.worker?.parentSessionId ?? workspace.target.sessionId }).catch(fail);
    const ids = workspace.snapshots.map((s) => s.id);
    setWorkspace(null);
    setFocus({ className: null, nodeId: null, snapshotId: null });
    for (const id of ids) await call('forgetSnapshot', { id }).catch(fail);
  };

  const exportReport = async () => {
    if (!workspace || workspace.snapshots.length === 0) return fail(new ApiError({ code: 'BAD_ARGUMENTS', message: 'There is no snapshot to report on yet.', remedy: 'Take or open a snapshot first.' }));
    try {
      setProgress({ phase: 'Building the report', done: 0, total: 0 });
      const redact = (document.getElementById('redact') as HTMLInputElement | null)?.checked ?? false;
      // The main process saves the files (a save dialog, or the web shell's download folder): the page never names a path.
      const saved = finishSave(await call('exportReport', { snapshotIds: workspace.snapshots.map((s) => s.id), sessionId: workspace.gone ? undefined : workspace.target?.sessionId, redactStrings: redact }));
      if (saved) notify(`Report exported. ${saved}`);
    } catch (e) {
      fail(e);
    } finally {
      setProgress(null);
    }
  };

  const visibleTabs = TABS.filter((t) => tabVisible(t, workspace));
  const current = visibleTabs.some((t) => t.id === tab) ? tab : 'summary';

  return (
    <div
      className="app"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void openFiles([...e.dataTransfer.files]);
      }}
    >
      <header className="topbar">
        {progress && (
          <div className="topbar-progress">
            <ProgressBar progress={progress} />
          </div>
        )}
        <div className="brand">
          <span className="brand-mark" aria-hidden /> Leak Explorer
        </div>
        {workspace?.target && (
          <span className="crumb">
            <b>{workspace.target.title}</b> · PID {workspace.target.pid ?? '?'} {workspace.gone ? <span className="badge">gone</span> : <span className="badge blue">attached</span>}
          </span>
        )}
        {workspace && !workspace.target && <span className="crumb">{workspace.snapshots.length} snapshot file{workspace.snapshots.length === 1 ? '' : 's'}</span>}
        <span className="spacer" />
        {workspace && (
          <>
            <label className="row muted" title="Replace heap strings in reports by their length and a hash">
              <input id="redact" type="checkbox" /> Redact strings
            </label>
            <button id="export-report" className="btn" onClick={() => void exportReport()} disabled={!workspace.snapshots.length}>
              Export report
            </button>
            <button className="btn" onClick={() => void detach()}>
              {workspace.target && !workspace.gone ? 'Detach' : 'Close'}
            </button>
          </>
        )}
        <button className="btn" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="Switch theme">
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <div className="body">
        <nav className="side" aria-label="Views">
          <button className="nav" aria-current={!workspace} onClick={() => void detach()}>
            ⌂ Targets
          </button>
          {workspace && (
            <>
              <h4>{workspace.target ? 'Session' : 'Snapshots'}</h4>
              {visibleTabs.map((t, i) => (
                <button key={t.id} className="nav" aria-current={current === t.id} onClick={() => setTab(t.id)} title={`Ctrl+${i + 1}`}>
                  {t.label}
                </button>
              ))}
              <h4>Snapshots</h4>
              {workspace.snapshots.length === 0 && <div className="snap muted">None yet</div>}
              <label className="btn small open-in-workspace">
                Open snapshot…
                <input type="file" accept=".heapsnapshot,application/json" multiple hidden aria-label="Open snapshot files in this workspace" onChange={(e) => void openFiles([...(e.target.files ?? [])])} />
              </label>
              {workspace.snapshots.map((s, i) => (
                <div key={s.id} className="snap">
                  <span>#{i + 1} {new Date(s.takenAt).toLocaleTimeString()}</span>
                  <span className="muted">{formatBytes(s.info.totalSize)}</span>
                  <small title={s.info.file}>{s.info.nodeCount.toLocaleString()} objects</small>
                  <button className="snap-close" onClick={() => void closeSnapshot(s.id)} aria-label={`Close snapshot #${i + 1}`} title="Close this snapshot (frees its memory)">
                    ×
                  </button>
                </div>
              ))}
            </>
          )}
          <h4>Shell</h4>
          <div className="snap muted">{isDesktop ? 'Desktop app' : 'Web shell (127.0.0.1)'}</div>
        </nav>
        <main className="main">
          {error && <ErrorBanner error={error} onClose={() => setError(null)} />}
          {notices.map((n) => (
            <Notice key={n} onClose={() => setNotices((list) => list.filter((m) => m !== n))}>
              {n}
            </Notice>
          ))}
          {workspace?.gone && <ErrorBanner error={{ code: 'TARGET_GONE', message: workspace.gone, remedy: 'Its snapshots stay open here. Attach again to continue.' }} />}
          {confirmDetach && workspace && (
            <div className="banner notice" role="alertdialog" aria-label="Close the workspace">
              <div>
                <b>{workspace.target && !workspace.gone ? 'Detach' : 'Close'}, and close its {workspace.snapshots.length} snapshot{workspace.snapshots.length === 1 ? '' : 's'}?</b>{' '}
                {workspace.target ? 'The target keeps running. ' : ''}Save the snapshots you want to keep first:{' '}
                {workspace.target
                  ? workspace.snapshots.map((s, i) => (
                      // The same save as the Session tab's: a native dialog in the desktop app, a download from the web shell's folder.
                      <button key={s.id} className="btn small" style={{ marginRight: 4 }} onClick={() => void saveSnapshot(s.id)}>
                        Save #{i + 1}
                      </button>
                    ))
                  : 'they are files on disk already.'}
              </div>
              <button className="btn small" onClick={() => void detach(true)}>
                {workspace.target && !workspace.gone ? 'Detach' : 'Close'} and discard
              </button>
              <button className="btn small" onClick={() => setConfirmDetach(false)}>
                Cancel
              </button>
            </div>
          )}
          {!workspace && <TargetsView actions={actions} onAttached={attached} onFiles={(files) => void openFiles(files)} />}
          {workspace && (
            <>
              <div className="tabs" role="tablist">
                {visibleTabs.map((t) => (
                  <button key={t.id} role="tab" aria-selected={current === t.id} onClick={() => setTab(t.id)}>
                    {t.label}
                  </button>
                ))}
              </div>
              {current === 'suspects' && <SuspectsView workspace={workspace} actions={actions} />}
              {current === 'session' && workspace.target && <SessionView workspace={workspace} actions={actions} />}
              {current === 'live' && workspace.target && <LiveRefsView workspace={workspace} actions={actions} />}
              {current === 'summary' && <SummaryView workspace={workspace} focus={focus} actions={actions} />}
              {current === 'diff' && <DiffView workspace={workspace} actions={actions} />}
              {current === 'retainers' && <RetainersView workspace={workspace} focus={focus} actions={actions} />}
              {current === 'dominators' && <DominatorsView workspace={workspace} focus={focus} actions={actions} />}
              {current === 'containment' && <ContainmentView workspace={workspace} focus={focus} actions={actions} />}
              {current === 'statistics' && <StatisticsView workspace={workspace} focus={focus} actions={actions} />}
              {current === 'console' && workspace.target && <ConsoleView workspace={workspace} actions={actions} />}
              {current === 'allocations' && workspace.target && <AllocationsView workspace={workspace} actions={actions} />}
            </>
          )}
        </main>
      </div>
      {dragging && <div className="drop">Drop .heapsnapshot files to open them</div>}
    </div>
  );
}
