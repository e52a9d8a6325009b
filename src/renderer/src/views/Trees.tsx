/**
 * The views DevTools and MAT users look for beside the summary: the Dominators tree (by retained size, opened
 * down to MAT's accumulation point), Containment from the GC roots, and Statistics (the heap by kind of
 * memory, as DevTools computes it). Each names its snapshot above it and never shows another one's rows.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { HeapStatistics, TreeRow } from '../../../shared/model';
import { formatBytes } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Focus, Workspace } from '../App';
import { Empty, SubmitRow, useSnapshotChoice } from '../components';
import { DataTable, formatPercent, type Column } from '../table';
import { TreeView, type AutoExpand } from '../tree';

interface ViewProps {
  workspace: Workspace;
  focus: Focus;
  actions: AppActions;
}

function useOpenGraph(actions: AppActions, snapshotId: number | null) {
  return useCallback((row: TreeRow) => actions.show('retainers', { className: row.className, nodeId: row.nodeId, snapshotId }), [actions, snapshotId]);
}

export function DominatorsView({ workspace, focus, actions }: ViewProps) {
  const { snapshot, picker } = useSnapshotChoice(workspace.snapshots, focus.snapshotId);
  const [path, setPath] = useState<{ key: string; nodeIds: number[] } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [suspect, setSuspect] = useState('');
  // From the root, or from a suspect: an object (@id) or a class's biggest instance.
  const [from, setFrom] = useState<{ nodeId?: number; classNameOrKey?: string }>({});
  const openGraph = useOpenGraph(actions, snapshot?.id ?? null);
  const key = `${snapshot?.id}:${from.nodeId ?? ''}:${from.classNameOrKey ?? ''}`;
  useEffect(() => {
    if (!snapshot) return;
    let live = true;
    call('accumulationPath', { id: snapshot.id, ...from })
      .then(({ nodeIds }) => live && setPath({ key, nodeIds }))
      .catch(actions.fail);
    return () => {
      live = false;
    };
  }, [key, actions]);
  const autoExpand: AutoExpand = useMemo(() => (path ? { kind: 'path', nodeIds: path.nodeIds } : null), [path]);
  if (!snapshot) return <Empty title="No snapshot yet">The dominator tree comes from a heap snapshot.</Empty>;
  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Dominators</h3>
        {picker}
        <SubmitRow
          onSubmit={() => {
            const text = suspect.trim();
            if (!text) setFrom({});
            else if (/^@?\d+$/.test(text)) setFrom({ nodeId: Number(text.replace('@', '')) });
            else setFrom({ classNameOrKey: text });
          }}
        >
          <input className="field" aria-label="Suspect" placeholder="Class or @id (empty: from the root)" value={suspect} onChange={(e) => setSuspect(e.target.value)} style={{ width: 240 }} />
          <button className="btn" type="submit">
            Find its accumulation point
          </button>
        </SubmitRow>
      </div>
      <div className="panel-body muted" style={{ paddingBottom: 4 }}>
        Each object with what it keeps alive alone (its retained size), largest first, opened down to MAT's accumulation point: where a big retained size spreads over many small objects
        {from.classNameOrKey ? `, below the biggest ${from.classNameOrKey}` : from.nodeId !== undefined ? `, below @${from.nodeId}` : ', from the root'}.
      </div>
      {path?.key === key && (
        <TreeView
          key={key}
          accumulationNodeId={path.nodeIds[path.nodeIds.length - 1]}
          snapshotId={snapshot.id}
          kind="dominators"
          rootNodeId={null}
          totalSize={snapshot.info.totalSize}
          autoExpand={autoExpand}
          label="Dominator tree"
          selected={selected}
          onSelect={(row) => setSelected(row.nodeId)}
          onOpen={openGraph}
          onError={actions.fail}
        />
      )}
    </div>
  );
}

export function ContainmentView({ workspace, focus, actions }: ViewProps) {
  const { snapshot, picker } = useSnapshotChoice(workspace.snapshots, focus.snapshotId);
  const [selected, setSelected] = useState<number | null>(null);
  const openGraph = useOpenGraph(actions, snapshot?.id ?? null);
  if (!snapshot) return <Empty title="No snapshot yet">Containment shows a heap snapshot from its GC roots down.</Empty>;
  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Containment</h3>
        {picker}
        <span className="muted">The heap from the GC roots down, by reference, as DevTools' Containment view shows it.</span>
      </div>
      <TreeView
        key={snapshot.id}
        snapshotId={snapshot.id}
        kind="containment"
        rootNodeId={null}
        totalSize={snapshot.info.totalSize}
        label="Containment"
        selected={selected}
        onSelect={(row) => setSelected(row.nodeId)}
        onOpen={openGraph}
        onError={actions.fail}
      />
    </div>
  );
}

type StatRow = (typeof KINDS)[number] & { size: number };

/** The Statistics table's columns: sizes sort as numbers, and the share is of `total`. */
const STAT_COLUMNS = (total: number): Array<Column<StatRow>> => [
  {
    key: 'kind',
    title: 'Kind',
    value: (p) => p.label,
    render: (p) => (
      <span title={p.help}>
        <span className="swatch" style={{ background: p.colour }} /> {p.label} <span className="muted">· {p.help}</span>
      </span>
    ),
  },
  { key: 'size', title: 'Size', num: true, value: (p) => p.size, render: (p) => formatBytes(p.size) },
  { key: 'share', title: '% of heap', num: true, value: (p) => p.size, render: (p) => formatPercent(p.size, total) },
];

const KINDS: Array<{ key: keyof HeapStatistics | 'otherNative'; label: string; colour: string; help: string }> = [
  { key: 'code', label: 'Code', colour: '#d97706', help: 'Compiled code and its metadata' },
  { key: 'strings', label: 'Strings', colour: '#7c3aed', help: 'Every kind of string' },
  { key: 'jsArrays', label: 'JS arrays', colour: '#0e7490', help: 'Arrays, with their element stores' },
  { key: 'typedArrays', label: 'Typed arrays', colour: '#be185d', help: 'Backing stores of ArrayBuffers' },
  { key: 'system', label: 'System objects', colour: '#4d7c0f', help: "V8's internal objects" },
  { key: 'other', label: 'Other JS objects', colour: '#64748b', help: 'Ordinary objects, closures…' },
  { key: 'otherNative', label: 'Other native', colour: '#94a3b8', help: 'Native memory other than typed arrays' },
];

export function StatisticsView({ workspace, focus, actions }: ViewProps) {
  const { snapshot, picker } = useSnapshotChoice(workspace.snapshots, focus.snapshotId);
  const [stats, setStats] = useState<{ snapshotId: number; value: HeapStatistics } | null>(null);
  useEffect(() => {
    if (!snapshot) return;
    let live = true;
    call('statistics', { id: snapshot.id })
      .then((value) => live && setStats({ snapshotId: snapshot.id, value }))
      .catch(actions.fail);
    return () => {
      live = false;
    };
  }, [snapshot?.id, actions]);
  if (!snapshot) return <Empty title="No snapshot yet">Statistics break a heap snapshot down by kind of memory.</Empty>;
  const value = stats?.snapshotId === snapshot.id ? stats.value : null;
  const parts = value ? KINDS.map((k) => ({ ...k, size: k.key === 'otherNative' ? Math.max(0, value.native - value.typedArrays) : value[k.key] })) : [];
  const total = value?.total ?? 0;
  let angle = -Math.PI / 2;
  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Statistics</h3>
        {picker}
        <span className="muted">As DevTools' Statistics view computes them.</span>
      </div>
      {!value && <Empty title="Counting…" />}
      {value && (
        <div className="panel-body stats">
          <svg width={220} height={220} viewBox="-110 -110 220 220" role="img" aria-label={`Heap by kind: ${formatBytes(total)} in all`}>
            {parts.map((p) => {
              const sweep = total > 0 ? (p.size / total) * 2 * Math.PI : 0;
              const start = angle;
              angle += sweep;
              if (sweep <= 0) return null;
              const large = sweep > Math.PI ? 1 : 0;
              const [x1, y1, x2, y2] = [Math.cos(start) * 100, Math.sin(start) * 100, Math.cos(angle) * 100, Math.sin(angle) * 100];
              return <path key={p.key} d={sweep >= 2 * Math.PI - 1e-6 ? 'M0,-100 A100,100 0 1 1 -0.01,-100 Z' : `M0,0 L${x1},${y1} A100,100 0 ${large} 1 ${x2},${y2} Z`} fill={p.colour} />;
            })}
            <circle r={58} fill="var(--panel)" />
            <text textAnchor="middle" y={-2} fontWeight={700} fill="var(--fg)">{formatBytes(total)}</text>
            <text textAnchor="middle" y={16} fontSize={11} fill="var(--muted)">total</text>
          </svg>
          <div className="stats-table">
            <DataTable label="Statistics" rows={parts} columns={STAT_COLUMNS(total)} rowKey={(p) => p.key} filterText={(p) => `${p.label} ${p.help}`} placeholder="Filter kinds" />
            <div className="kv stats-total">
              <span className="muted">Native memory (typed arrays included)</span>
              <span className="num">
                {formatBytes(value.native)} · {formatPercent(value.native, total)}
              </span>
              <b>Total</b>
              <b className="num">{formatBytes(total)}</b>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
