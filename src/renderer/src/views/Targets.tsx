/** The first screen: the local Node processes, attach by PID, port or URL, open a file, try the demo. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProcessInfo, TargetInfo } from '../../../shared/model';
import { formatBytes } from '../../../shared/format';
import { ApiError, call } from '../api';
import type { AppActions } from '../App';
import { Empty, SubmitRow } from '../components';
import { DataTable, type Column } from '../table';

export function TargetsView({ actions, onAttached, onFiles }: { actions: AppActions; onAttached: (t: TargetInfo) => void; onFiles: (files: File[]) => void }) {
  const [processes, setProcesses] = useState<ProcessInfo[] | null>(null);
  const [mode, setMode] = useState<'pid' | 'port' | 'url'>('pid');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(() => {
    call('listProcesses', {}).then(setProcesses).catch(actions.fail);
  }, [actions]);
  useEffect(refresh, [refresh]);

  const attach = async (params: { pid?: number | string; port?: number; url?: string }, label: string) => {
    setBusy(label);
    try {
      try {
        onAttached(await call('attach', params));
      } catch (e) {
        // A host that is not this machine: only the user's explicit yes lets the attach go there.
        if (!(e instanceof ApiError && e.info.code === 'REMOTE_HOST_NOT_CONFIRMED')) throw e;
        if (!window.confirm(`${e.info.message}\n\n${e.info.remedy}\n\nAttach anyway?`)) return;
        onAttached(await call('attach', { ...params, allowRemote: true }));
      }
    } catch (e) {
      actions.fail(e);
      refresh();
    } finally {
      setBusy(null);
    }
  };

  const submit = () => {
    const text = value.trim();
    if (mode === 'url') return void attach({ url: text }, 'Attaching');
    // The service reads a PID strictly (digits only, within the kernel's limit) and says what is wrong.
    if (mode === 'pid') return void attach({ pid: text }, 'Attaching');
    const n = Number(text);
    if (!/^\d{1,5}$/.test(text) || !Number.isInteger(n) || n <= 0 || n > 65535) {
      return actions.fail(new ApiError({ code: 'BAD_ARGUMENTS', message: `'${text}' is not a port.`, remedy: 'Type the inspector port, a whole number from 1 to 65535 (Node opens 9229 by default).' }));
    }
    void attach({ port: n }, 'Attaching');
  };

  const demo = async () => {
    setBusy('Starting the demo crawler');
    try {
      onAttached(await call('launchDemo', {}));
    } catch (e) {
      actions.fail(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div className="hero">
        <div className="panel pitch">
          <h2>Find what keeps your heap growing, and why it is still alive.</h2>
          <p className="muted">
            Attach to a running Node.js process, even one started without <code>--inspect</code>, or to a CPython program (Scrapy, Django) by its PID. See its live objects per class with the age of the oldest, compare snapshots, and follow the oldest object's retainers back to the GC roots.
          </p>
          <div className="row">
            <button className="btn primary" onClick={() => void demo()} disabled={busy !== null}>
              ▶ Try the demo
            </button>
            <span className="muted">A crawler that leaks like Scrapy's example: responses kept alive through <code>Request.cbKwargs.referer</code>.</span>
          </div>
        </div>
        <div className="panel">
          <div className="panel-head">
            <h3>Attach</h3>
          </div>
          <div className="panel-body">
            <div className="row" role="radiogroup" aria-label="Attach by">
              {(['pid', 'port', 'url'] as const).map((m) => (
                <label key={m} className="row">
                  <input type="radio" name="attach-mode" checked={mode === m} onChange={() => setMode(m)} /> {m === 'pid' ? 'PID' : m === 'port' ? 'Inspector port' : 'WebSocket URL'}
                </label>
              ))}
            </div>
            <SubmitRow style={{ marginTop: 8 }} onSubmit={submit}>
              <input className="field" style={{ flex: 1 }} aria-label="Target" placeholder={mode === 'pid' ? '12345' : mode === 'port' ? '9229' : 'ws://127.0.0.1:9229/…'} value={value} onChange={(e) => setValue(e.target.value)} />
              <button className="btn" type="submit" disabled={busy !== null || !value.trim()}>
                Attach
              </button>
            </SubmitRow>
            <div className="row" style={{ marginTop: 12 }}>
              <button className="btn" onClick={() => fileInput.current?.click()}>
                Open .heapsnapshot…
              </button>
              <span className="muted">or drop files anywhere</span>
              <input ref={fileInput} type="file" accept=".heapsnapshot,application/json" multiple hidden aria-label="Open snapshot files" onChange={(e) => onFiles([...(e.target.files ?? [])])} />
            </div>
            {busy && <p className="muted">{busy}…</p>}
          </div>
        </div>
      </div>
      <div className="panel">
        <div className="panel-head">
          <h3>Node.js and Python processes on this machine</h3>
          <span className="spacer" />
          <button className="btn small" onClick={refresh}>
            Refresh
          </button>
        </div>
        {processes === null && <Empty title="Looking for Node.js and Python processes…" />}
        {processes?.length === 0 && (
          <Empty title="No Node.js or Python processes are running.">
            <p>Start one, or try the demo above.</p>
          </Empty>
        )}
        {processes && processes.length > 0 && (
          <DataTable
            label="Processes"
            rows={processes}
            rowKey={(p) => String(p.pid)}
            filterText={(p) => `${p.pid} ${runtimeLabel(p)} ${p.command} ${p.user} ${p.reason}`}
            placeholder="Filter by PID, command or user"
            columns={
              [
                // A PID is a name, not a quantity: never grouped.
                { key: 'pid', title: 'PID', num: true, value: (p) => p.pid, render: (p) => String(p.pid), cellClass: () => 'mono' },
                { key: 'command', title: 'Command', value: (p) => p.command, cellClass: () => 'mono', cellProps: (p) => ({ title: p.command }) },
                { key: 'runtime', title: 'Runtime', value: (p) => runtimeLabel(p), cellClass: () => 'mono' },
                { key: 'user', title: 'User', value: (p) => p.user },
                { key: 'memory', title: 'Memory', num: true, value: (p) => p.rss ?? -1, render: (p) => (p.rss === null ? '—' : formatBytes(p.rss)) },
                { key: 'inspector', title: 'Inspector', value: (p) => p.inspectorPort ?? -1, render: (p) => (p.inspectorPort === null ? <span className="muted">closed</span> : <span className="badge blue">:{p.inspectorPort}</span>) },
                { key: 'status', title: 'Status', value: (p) => p.reason, cellClass: () => 'muted', cellProps: (p) => ({ title: p.reason }) },
                {
                  key: 'attach',
                  title: '',
                  value: (p) => (p.attachable ? 0 : 1),
                  render: (p) => (
                    <button className="btn small" disabled={!p.attachable || busy !== null} onClick={() => void attach({ pid: p.pid }, `Attaching to ${p.pid}`)}>
                      Attach
                    </button>
                  ),
                },
              ] satisfies Array<Column<ProcessInfo>>
            }
          />
        )}
      </div>
    </>
  );
}

/** What a process runs, as `ps` prints it: `node`, `python 3.11`, `python 3.11 +agent` when our agent already runs there. */
function runtimeLabel(p: ProcessInfo): string {
  if (p.runtime === 'python') return `python${p.runtimeVersion ? ` ${p.runtimeVersion}` : ''}${p.agentLoaded ? ' +agent' : ''}`;
  return p.runtime ?? (p.isNode ? 'node' : '?');
}
