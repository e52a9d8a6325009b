/**
 * Allocations: which code allocates what stays alive, from V8's sampling heap profiler on the attached
 * target. No snapshot is taken and the target is never paused: it runs at a small cost while sampling is on.
 * A flame graph shows live sampled bytes by allocation stack (stacks that grew between the two samples
 * compared are coloured), a time slider picks any two samples, and the growth table ranks the sites.
 */
import { hierarchy, partition, type HierarchyRectangularNode } from 'd3';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AllocationFlameNode, AllocationSampling, AllocationSiteRow, StackFrame } from '../../../shared/model';
import { formatBytes, formatBytesDelta, shortScriptName } from '../../../shared/format';
import { ApiError, call } from '../api';
import type { AppActions, Workspace } from '../App';
import { Empty } from '../components';
import { openable, useOpenInEditor } from '../editor';
import { DataTable, formatCount, formatSignedCount, type Column } from '../table';

/** How often a running sampler is read. */
const POLL_MS = 2000;
const ROW_HEIGHT = 20;

/** `remember app.js:12`: a frame's short place; '' when V8 gives no script. */
function place(frame: StackFrame): string {
  return frame.url ? `${shortScriptName(frame.url)}:${frame.line}` : '';
}

function fullPlace(frame: StackFrame): string {
  const generated = frame.generated ? `\ngenerated: ${frame.generated.url}:${frame.generated.line}:${frame.generated.column}` : '';
  return frame.url ? `${frame.url}:${frame.line}:${frame.column}${generated}` : '(no script)';
}


/** The growth colour of a flame cell: orange by how much of it is new, grey when it did not grow. */
function fill(node: AllocationFlameNode, comparing: boolean): string {
  const growth = node.totalBytes - node.baseBytes;
  if (!comparing || growth <= 0 || node.totalBytes === 0) return 'hsl(215 18% 78%)';
  const share = Math.min(1, growth / node.totalBytes);
  return `hsl(${28 - share * 14} 88% ${72 - share * 20}%)`;
}

function FlameGraph({ root, comparing, onPick }: { root: AllocationFlameNode; comparing: boolean; onPick: (node: AllocationFlameNode) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  const [zoom, setZoom] = useState<string | null>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(200, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const laidOut = useMemo(() => {
    const tree = hierarchy(root, (d) => d.children).sum((d) => d.selfBytes);
    return partition<AllocationFlameNode>().size([1, tree.height + 1]).padding(0)(tree);
  }, [root]);
  const key = (d: HierarchyRectangularNode<AllocationFlameNode>) =>
    d
      .ancestors()
      .map((a) => `${a.data.functionName}@${a.data.url}:${a.data.line}:${a.data.column}`)
      .join('<');
  const nodes = laidOut.descendants();
  const focus = nodes.find((d) => key(d) === zoom) ?? laidOut;
  const x = (value: number) => ((value - focus.x0) / (focus.x1 - focus.x0)) * width;
  const shown = nodes.filter((d) => d.x1 > focus.x0 && d.x0 < focus.x1 && x(Math.min(d.x1, focus.x1)) - x(Math.max(d.x0, focus.x0)) >= 1);
  const height = (laidOut.height + 1) * ROW_HEIGHT;
  // Clicking (or Enter on) a frame zooms into it and shows it below; the root shows everything again.
  const pick = (d: HierarchyRectangularNode<AllocationFlameNode>) => {
    setZoom(d.depth === 0 ? null : key(d));
    if (d.depth > 0) onPick(d.data);
  };
  return (
    <div ref={host} className="flame-host">
      {zoom && (
        <button className="btn small" style={{ marginBottom: 6 }} onClick={() => setZoom(null)}>
          Show all stacks
        </button>
      )}
      <svg className="flame" width={width} height={height} role="img" aria-label="Flame graph of live sampled bytes by allocation stack">
        {shown.map((d) => {
          const left = x(Math.max(d.x0, focus.x0));
          const w = x(Math.min(d.x1, focus.x1)) - left;
          const top = d.depth * ROW_HEIGHT;
          const growth = d.data.totalBytes - d.data.baseBytes;
          const label = d.depth === 0 ? `all stacks: ${formatBytes(d.data.totalBytes)} live` : `${d.data.functionName} ${place(d.data)}`;
          const chars = Math.floor((w - 6) / 6.6);
          return (
            <g
              key={key(d)}
              transform={`translate(${left},${top})`}
              className="flame-cell"
              data-function={d.data.functionName}
              tabIndex={0}
              onClick={() => pick(d)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  pick(d);
                }
              }}
            >
              <title>{`${d.data.functionName}\n${fullPlace(d.data)}\nlive ${formatBytes(d.data.totalBytes)} (self ${formatBytes(d.data.selfBytes)})${comparing ? `\ngrowth ${formatBytesDelta(growth)}` : ''}`}</title>
              <rect width={Math.max(0, w - 1)} height={ROW_HEIGHT - 1} rx={2} fill={fill(d.data, comparing)} />
              {chars >= 3 && (
                <text x={4} y={ROW_HEIGHT - 6} fontSize={11.5} fill="#1d232b">
                  {label.length > chars ? `${label.slice(0, chars - 1)}…` : label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Live sampled bytes at each sample, with the two compared marked: where on the run the slider stands. */
function SampleChart({ data }: { data: AllocationSampling }) {
  const { samples } = data;
  const width = 480;
  const height = 44;
  const max = Math.max(1, ...samples.map((s) => s.liveBytes));
  const x = (i: number) => (samples.length > 1 ? (i / (samples.length - 1)) * (width - 8) + 4 : width / 2);
  const y = (bytes: number) => height - 4 - (bytes / max) * (height - 8);
  return (
    <svg width={width} height={height} role="img" aria-label={`Live sampled bytes of ${samples.length} samples`} style={{ display: 'block', marginBottom: 4 }}>
      <polyline fill="none" stroke="var(--muted)" strokeWidth={1.5} points={samples.map((s, i) => `${x(i)},${y(s.liveBytes)}`).join(' ')} />
      {[data.from, data.to].map((i, k) => (
        <circle key={k} cx={x(i)} cy={y(samples[i]?.liveBytes ?? 0)} r={4} fill={k === 0 ? 'hsl(215 18% 60%)' : 'hsl(24 88% 55%)'}>
          <title>{`sample #${i + 1}: ${formatBytes(samples[i]?.liveBytes ?? 0)} live sampled`}</title>
        </circle>
      ))}
    </svg>
  );
}

export function AllocationsView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const target = workspace.target!;
  const sessionId = target.sessionId;
  const [data, setData] = useState<AllocationSampling | null>(null);
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<StackFrame | null>(null);
  const editor = useOpenInEditor(actions);
  // The samples compared: null follows the latest.
  const range = useRef<{ from: number; to: number | null }>({ from: 0, to: null });

  const poll = useCallback(
    async (sample: boolean) => {
      const { from, to } = range.current;
      const next = await call('pollSampling', { sessionId, from, to: to ?? undefined, sample });
      setData(next);
      return next;
    },
    [sessionId],
  );

  // A run started earlier (another visit to this tab) is picked up as it is.
  useEffect(() => {
    poll(false).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.info.code === 'SAMPLING_NOT_STARTED')) actions.fail(e);
    });
  }, [poll, actions]);

  useEffect(() => {
    if (!data?.active || workspace.gone) return;
    const timer = setInterval(() => void poll(true).catch(actions.fail), POLL_MS);
    return () => clearInterval(timer);
  }, [data?.active, workspace.gone, poll, actions]);

  const start = async () => {
    setBusy(true);
    try {
      range.current = { from: 0, to: null };
      setData(await call('startSampling', { sessionId }));
    } catch (e) {
      actions.fail(e);
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    setBusy(true);
    try {
      setData(await call('stopSampling', { sessionId }));
    } catch (e) {
      actions.fail(e);
    } finally {
      setBusy(false);
    }
  };
  const compare = (from: number, to: number) => {
    const last = (data?.samples.length ?? 1) - 1;
    range.current = { from: Math.min(from, to), to: Math.max(from, to) >= last && data?.active ? null : Math.max(from, to) };
    void poll(false).catch(actions.fail);
  };


  const columns: Array<Column<AllocationSiteRow>> = [
    { key: 'grows', title: 'Grows', value: (s) => (s.growsInEveryInterval ? 1 : 0), render: (s) => (s.growsInEveryInterval ? <span className="grow">every interval</span> : '') },
    { key: 'site', title: 'Allocated in', value: (s) => s.functionName, render: (s) => <span className="mono">{s.functionName}</span> },
    {
      key: 'where',
      title: 'File:line',
      value: (s) => place(s),
      render: (s) => (
        <span className="mono" title={fullPlace(s)}>
          {place(s) || '—'}{' '}
          {openable(s) && (
            <button className="link-button" onClick={(e) => (e.stopPropagation(), void editor.open(s))} aria-label={`Open ${s.functionName} in the editor`}>
              open
            </button>
          )}
        </span>
      ),
    },
    { key: 'live', title: 'Live bytes', num: true, value: (s) => s.liveBytes, render: (s) => <span title={formatBytes(s.liveBytes)}>{formatCount(s.liveBytes)}</span> },
    { key: 'growth', title: 'Growth/min (bytes)', num: true, value: (s) => s.growthBytesPerMinute, render: (s) => <span className={s.growthBytesPerMinute > 0 ? 'grow' : ''}>{formatSignedCount(Math.round(s.growthBytesPerMinute))}</span> },
  ];

  const samples = data?.samples ?? [];
  const offset = (index: number) => (samples[index] ? `+${Math.round((samples[index].at - (data?.startedAt ?? samples[0].at)) / 1000)} s` : '');
  const comparing = !!data && data.to > data.from;
  return (
    <>
      <div className="banner notice" role="note">
        <div>
          <b>Sampling takes no heap snapshot and never freezes the target.</b> V8 records about one allocation per {formatBytes(data?.samplingInterval ?? 32768)} allocated and keeps it while
          its object lives; the target keeps running at a small cost while sampling is on. Stacks whose live bytes grow in every interval are leak candidates.
        </div>
      </div>
      <div className="panel">
        <div className="panel-head">
          <h3>Allocations</h3>
          {data?.active && <span className="badge blue">sampling</span>}
          <span className="muted">{samples.length > 0 ? `${samples.length} sample${samples.length === 1 ? '' : 's'}, ${formatBytes(samples[samples.length - 1].liveBytes)} live sampled` : ''}</span>
          <span className="spacer" />
          {data?.active ? (
            <button className="btn" onClick={() => void stop()} disabled={busy}>
              Stop sampling
            </button>
          ) : (
            <button className="btn primary" onClick={() => void start()} disabled={busy || !!workspace.gone}>
              {data ? 'Sample again' : 'Start sampling'}
            </button>
          )}
        </div>
        <div className="panel-body">
          {!data && <Empty title="Not sampling">Start sampling to see which functions allocate what stays alive, as a flame graph and a table of growing sites.</Empty>}
          {data && samples.length > 1 && <SampleChart data={data} />}
          {data && samples.length > 1 && (
            <div className="row" style={{ marginBottom: 10 }} aria-label="Samples compared">
              <label className="row">
                From sample
                <input type="range" min={0} max={samples.length - 1} value={data.from} onChange={(e) => compare(Number(e.target.value), data.to)} aria-label="Earlier sample" />
                <span className="mono">#{data.from + 1} {offset(data.from)}</span>
              </label>
              <label className="row">
                to
                <input type="range" min={0} max={samples.length - 1} value={data.to} onChange={(e) => compare(data.from, Number(e.target.value))} aria-label="Later sample" />
                <span className="mono">#{data.to + 1} {offset(data.to)}</span>
              </label>
              <span className="muted">
                {comparing ? `live bytes ${formatBytesDelta(samples[data.to].liveBytes - samples[data.from].liveBytes)}; orange stacks grew` : 'one sample: nothing to compare yet'}
              </span>
            </div>
          )}
          {data?.flame && data.flame.totalBytes > 0 && <FlameGraph root={data.flame} comparing={comparing} onPick={setPicked} />}
          {data?.flame && data.flame.totalBytes === 0 && <p className="muted">Nothing sampled yet: the target has not allocated {formatBytes(data.samplingInterval)} since sampling started.</p>}
          {picked && (
            <p className="mono" aria-label="Selected frame">
              {picked.functionName} {fullPlace(picked).split('\n')[0]}{' '}
              {openable(picked) && (
                <button className="btn small" onClick={() => void editor.open(picked)}>
                  Open in editor
                </button>
              )}
            </p>
          )}
          {editor.panel}

          {data && data.sourceMapProblems.length > 0 && (
            <ul className="muted">
              {data.sourceMapProblems.map((p) => (
                <li key={p.script}>
                  <span className="code">{p.code}</span> {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {data && data.sites.length > 0 && (
        <div className="panel" style={{ marginTop: 14 }}>
          <div className="panel-head">
            <h3>Growth by allocation site</h3>
            <span className="muted">samples #{data.from + 1} to #{data.to + 1}</span>
          </div>
          <DataTable
            label="Allocation sites"
            rows={data.sites}
            columns={columns}
            rowKey={(s) => s.stack.map((f) => `${f.functionName}@${f.url}:${f.line}:${f.column}`).join('<')}
            filterText={(s) => `${s.functionName} ${s.url}`}
            onRowClick={(s) => setPicked(s)}
            placeholder="Filter by function or file"
          />
        </div>
      )}
    </>
  );
}
