/** Small building blocks shared by the views: banners, progress, empty states, charts and property lists. */
import { useState, type CSSProperties, type ReactNode } from 'react';
import type { LoadedSnapshot } from '../../shared/engine-api';
import type { ErrorInfo } from '../../shared/errors';
import type { ByViaRow, HeapUsage, Progress, StackFrame } from '../../shared/model';
import { formatBytes, shortScriptName } from '../../shared/format';
import { ApiError } from './api';
import { DataTable, formatPercent, type Column } from './table';

/** Turns anything thrown into an error the banner can show. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof ApiError) return error.info;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), remedy: 'Please report this, with the steps that led here.' };
}

/** An error with its code and the remedy, and a way to dismiss it. */
export function ErrorBanner({ error, onClose }: { error: ErrorInfo; onClose?: () => void }) {
  return (
    <div className="banner" role="alert">
      <div>
        <span className="code">{error.code}</span> {error.message}
        <p>{error.remedy}</p>
      </div>
      {onClose && (
        <button className="btn small" onClick={onClose} aria-label="Dismiss">
          Dismiss
        </button>
      )}
    </div>
  );
}

/** A notice: not an error, something worth knowing. */
export function Notice({ children, onClose }: { children: ReactNode; onClose?: () => void }) {
  return (
    <div className="banner notice" role="status">
      <div>{children}</div>
      {onClose && (
        <button className="btn small" onClick={onClose}>
          OK
        </button>
      )}
    </div>
  );
}

/** A progress bar with its phase; indeterminate when the total is unknown. */
export function ProgressBar({ progress }: { progress: Progress | null }) {
  if (!progress) return null;
  const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : null;
  return (
    <div aria-live="polite">
      <div className="row muted" style={{ justifyContent: 'space-between', marginBottom: 4 }}>
        <span>{progress.phase}…</span>
        {fraction !== null && <span>{Math.round(fraction * 100)}%</span>}
      </div>
      <div className={`progress${fraction === null ? ' indeterminate' : ''}`} role="progressbar" aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}>
        <div style={fraction === null ? undefined : { width: `${fraction * 100}%` }} />
      </div>
    </div>
  );
}

/** What a view shows before it has anything. */
/** A one-line form, its fields and buttons in a row: submitting it (Enter, or a submit button) calls `onSubmit`. */
export function SubmitRow({ onSubmit, style, children }: { onSubmit: () => void; style?: CSSProperties; children: ReactNode }) {
  return (
    <form
      className="row"
      style={style}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** A tiny line of counts over time. */
export function Sparkline({ values, width = 90, height = 20 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return <span className="muted">—</span>;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const points = values.map((v, i) => `${((i / (values.length - 1)) * (width - 4) + 2).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`).join(' ');
  const rising = values[values.length - 1] > values[0];
  return (
    <svg width={width} height={height} aria-label={`from ${values[0]} to ${values[values.length - 1]}`} role="img">
      <polyline points={points} fill="none" stroke={rising ? 'var(--accent)' : 'var(--muted)'} strokeWidth={1.6} />
    </svg>
  );
}

/** Heap in use over time, as an area chart. */
export function HeapChart({ samples }: { samples: HeapUsage[] }) {
  const width = 520;
  const height = 120;
  if (samples.length < 2) return <div className="muted" style={{ height }}>Sampling the heap every 2 s…</div>;
  const max = Math.max(...samples.map((s) => s.totalSize));
  const t0 = samples[0].at;
  const t1 = samples[samples.length - 1].at;
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * (width - 50) + 46;
  const y = (v: number) => height - 18 - (v / max) * (height - 28);
  const used = samples.map((s) => `${x(s.at).toFixed(1)},${y(s.usedSize).toFixed(1)}`).join(' ');
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} role="img" aria-label="Heap in use over time">
      <text x={42} y={14} fontSize={10} textAnchor="end" fill="var(--muted)">{formatBytes(max)}</text>
      <text x={42} y={height - 18} fontSize={10} textAnchor="end" fill="var(--muted)">0</text>
      <line x1={46} x2={width - 4} y1={height - 18} y2={height - 18} stroke="var(--line)" />
      <polygon points={`${x(t0)},${height - 18} ${used} ${x(t1)},${height - 18}`} fill="var(--accent-soft)" />
      <polyline points={used} fill="none" stroke="var(--accent)" strokeWidth={1.8} />
      <text x={width - 4} y={height - 4} fontSize={10} textAnchor="end" fill="var(--muted)">{Math.round((t1 - t0) / 1000)} s</text>
    </svg>
  );
}

const COLORS = ['#c2410c', '#1d4ed8', '#047857', '#7c3aed', '#b45309', '#be185d', '#0e7490', '#4d7c0f'];

/** Counts per snapshot for several classes. */
export function GrowthChart({ rows }: { rows: Array<{ className: string; counts: number[]; onlyGrew: boolean }> }) {
  const width = 760;
  const height = 240;
  if (rows.length === 0 || rows[0].counts.length < 2) return null;
  const n = rows[0].counts.length;
  const max = Math.max(1, ...rows.flatMap((r) => r.counts));
  const x = (i: number) => 50 + (i / (n - 1)) * (width - 260);
  const y = (v: number) => 12 + (1 - v / max) * (height - 40);
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} role="img" aria-label="Growth across snapshots">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={50} x2={width - 210} y1={y(max * f)} y2={y(max * f)} stroke="var(--line)" />
          <text x={44} y={y(max * f) + 4} fontSize={10} textAnchor="end" fill="var(--muted)">{Math.round(max * f)}</text>
        </g>
      ))}
      {rows[0].counts.map((_, i) => (
        <text key={i} x={x(i)} y={height - 8} fontSize={10} textAnchor="middle" fill="var(--muted)">#{i + 1}</text>
      ))}
      {rows.map((row, k) => (
        <g key={row.className}>
          <polyline points={row.counts.map((c, i) => `${x(i)},${y(c)}`).join(' ')} fill="none" stroke={COLORS[k % COLORS.length]} strokeWidth={2.2} />
          <text x={width - 200} y={y(row.counts[n - 1]) + 4} fontSize={11} fill={COLORS[k % COLORS.length]}>
            {row.className.slice(0, 28)}{row.onlyGrew ? ' ↑' : ''}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** guppy's byvia: the set's objects grouped by the reference that holds them. */
export function ByViaTable({ rows, showSize = true }: { rows: ByViaRow[]; showSize?: boolean }) {
  const columns: Array<Column<ByViaRow>> = [
    { key: 'via', title: 'Via', value: (g) => g.via, cellClass: () => 'mono' },
    { key: 'retainer', title: 'Retainer', value: (g) => g.retainerClass },
    { key: 'count', title: 'Count', num: true, value: (g) => g.count },
    ...(showSize ? [{ key: 'size', title: 'Size', num: true, value: (g: ByViaRow) => g.shallowSize, render: (g: ByViaRow) => formatBytes(g.shallowSize) }] : []),
    { key: 'share', title: 'Share', num: true, value: (g) => g.share, render: (g) => formatPercent(g.share, 1) },
  ];
  return (
    <div className="byvia-scroll">
      <DataTable label="By referrer" rows={rows} columns={columns} rowKey={(g) => `${g.via}|${g.retainerClass}`} filterText={(g) => `${g.via} ${g.retainerClass}`} placeholder="Filter edges or classes" />
    </div>
  );
}

/** An object's properties as `name: value` lines (live previews, console results). Values are text, never markup. */
export function PropertyList({ properties, className = 'props', style }: { properties: Array<{ name: string; value: string }>; className?: string; style?: CSSProperties }) {
  return (
    <div className={className} style={style}>
      {properties.map((p) => (
        <div key={p.name}>
          {p.name}: <span style={{ color: 'var(--fg)' }}>{p.value}</span>
        </div>
      ))}
    </div>
  );
}

/**
 * The snapshot a view shows, and the picker that names it. The choice is checked against the workspace on
 * every render: a closed snapshot is never shown, the latest one is shown instead, and the picker says so.
 */
export function useSnapshotChoice(snapshots: LoadedSnapshot[], preferred: number | null): { snapshot: LoadedSnapshot | null; picker: ReactNode } {
  const [chosen, setChosen] = useState<number | null>(preferred);
  const snapshot = snapshots.find((s) => s.id === chosen) ?? snapshots[snapshots.length - 1] ?? null;
  const picker = (
    <select className="field" value={snapshot?.id ?? ''} onChange={(e) => setChosen(Number(e.target.value))} aria-label="Snapshot">
      {snapshots.map((s, i) => (
        <option key={s.id} value={s.id}>
          #{i + 1} · {new Date(s.takenAt).toLocaleTimeString()}
        </option>
      ))}
    </select>
  );
  return { snapshot, picker };
}

/** One allocation frame as people read it: `parse crawler.mjs:88:12` (the original position when a source map gave one). */
function frameText(frame: StackFrame): string {
  return `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortScriptName(frame.url)}:${frame.line}:${frame.column}` : ''}`;
}

/**
 * Where an object was allocated, innermost frame first. `null` means the snapshot has no stack for it: then
 * say how to get one (tracking for snapshots, or sampling, which takes none).
 */
export function AllocationStack({ frames, max = 8 }: { frames: StackFrame[] | null | undefined; max?: number }) {
  if (!frames || frames.length === 0) {
    return (
      <div className="muted" data-allocation-stack="none">
        No allocation stack: this snapshot was taken without allocation tracking (or the object is older than it). Turn on
        &ldquo;Track allocations&rdquo; in Session before the snapshots, or sample allocations in the Allocations tab, which takes no snapshot.
      </div>
    );
  }
  return (
    <div className="mono" data-allocation-stack="frames">
      {frames.slice(0, max).map((frame, i) => (
        <div key={`${i}-${frame.functionName}`}>{frameText(frame)}</div>
      ))}
      {frames.length > max && <div className="muted">… {frames.length - max} more frames</div>}
    </div>
  );
}
