/**
 * Why an object is alive: from the oldest instance of a class (or any @id) back to the GC roots. The graph is
 * drawn on the layered layout the engine worker computes (roots on the left, the object on the right) and
 * opens fitted; beside it, DevTools' expandable Retainers tree, closest retainers first. The shortest path is
 * highlighted and each of its steps pans the graph to its node; weak edges are hidden unless asked for;
 * double-click expands a node, and the details pane collapses it; hover for sizes; click for details.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ByViaRow, LaidOutRetainerGraph, LivePreview, ObjectDetails, OldestSource, PathStep, RetainerGraphGroup, RetainerPaths } from '../../../shared/model';
import { formatBytes, formatNodeLabel } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Focus, Workspace } from '../App';
import { AllocationStack, ByViaTable, Empty, PropertyList, SubmitRow, useSnapshotChoice } from '../components';
import { DataTable } from '../table';
import { useOpenInEditor } from '../editor';
import { TreeView, type AutoExpand } from '../tree';
import { RetainerGraphView, viaText, type GraphHandle } from './Graph';

/** A node's label: its class, or for a function its name and place (`revalidateUpload() crawler.mjs:88`). */
const nodeLabel = formatNodeLabel;

const OLDEST_TEXT: Record<OldestSource, string> = {
  trackref: 'oldest by its creation time (trackref in the target)',
  'allocation-tracking': 'oldest by allocation tracking',
  'first-snapshot': 'oldest by the first snapshot that held it, then by heap id',
  'lowest-id': 'oldest by heap id only: one snapshot cannot date objects (take another, or load trackref)',
};

/**
 * The shortest path's steps, with each stretch the graph folded into a group node shown once, as that group:
 * a group's key is its first object's id, and it stands for `pathSteps` steps from there.
 */
function foldedSteps(path: PathStep[], graph: LaidOutRetainerGraph | null): Array<{ step: PathStep; i: number; group?: RetainerGraphGroup }> {
  const groups = new Map<number, RetainerGraphGroup>();
  for (const node of graph?.nodes ?? []) if (node.group) groups.set(node.group.key, node.group);
  const out: Array<{ step: PathStep; i: number; group?: RetainerGraphGroup }> = [];
  for (let i = 0; i < path.length; ) {
    const group = groups.get(path[i].nodeId);
    out.push(group ? { step: path[i], i, group } : { step: path[i], i });
    i += group ? group.pathSteps : 1;
  }
  return out;
}

export function RetainersView({ workspace, focus, actions }: { workspace: Workspace; focus: Focus; actions: AppActions }) {
  const editor = useOpenInEditor(actions);
  const snapshots = workspace.snapshots;
  const { snapshot, picker } = useSnapshotChoice(snapshots, focus.snapshotId);
  const snapshotId = snapshot?.id ?? null;
  const [className, setClassName] = useState(focus.className ?? '');
  const [nodeId, setNodeId] = useState<number | null>(focus.nodeId);
  const [oldestSource, setOldestSource] = useState<OldestSource | null>(null);
  const [goTo, setGoTo] = useState('');
  const [graph, setGraph] = useState<{ key: string; fitKey: string; value: LaidOutRetainerGraph } | null>(null);
  const [paths, setPaths] = useState<{ key: string; value: RetainerPaths } | null>(null);
  const [weak, setWeak] = useState(false);
  // How many objects the graph draws at most (the engine lays out even 2,000 in a few tens of ms).
  const [maxNodes, setMaxNodes] = useState(80);
  const [expand, setExpand] = useState<number[]>([]);
  const [collapse, setCollapse] = useState<number[]>([]);
  /** Whether the Retainers tree sits beside the graph; hidden, the graph has the whole width and re-fits. */
  const [treeShown, setTreeShown] = useState(true);
  useEffect(() => {
    // After the grid has its new columns: fit the drawing to its new width.
    const frame = requestAnimationFrame(() => graphRef.current?.fit());
    return () => cancelAnimationFrame(frame);
  }, [treeShown]);
  /** Keys of the folded chains (group nodes) the user opened. */
  const [unfold, setUnfold] = useState<number[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [details, setDetails] = useState<ObjectDetails | null>(null);
  const [live, setLive] = useState<LivePreview | null>(null);
  const [byVia, setByVia] = useState<ByViaRow[] | null>(null);
  const graphRef = useRef<GraphHandle>(null);
  const liveSession = workspace.target && !workspace.gone ? workspace.target.sessionId : undefined;

  const open = useCallback((id: number) => {
    setExpand([]);
    setCollapse([]);
    setUnfold([]);
    setSelected(id);
    setNodeId(id);
  }, []);

  const findOldest = useCallback(
    async (name: string) => {
      if (!name || snapshotId === null) return;
      try {
        const ids = snapshots.map((s) => s.id);
        const oldest = await call('oldestInstance', { ids: ids.slice(0, ids.indexOf(snapshotId) + 1), className: name, sessionId: liveSession });
        setOldestSource(oldest.source);
        open(oldest.nodeId);
      } catch (e) {
        actions.fail(e);
      }
    },
    [snapshotId, snapshots, actions, liveSession, open],
  );

  useEffect(() => {
    if (focus.className && focus.nodeId === null) {
      setClassName(focus.className);
      void findOldest(focus.className);
    }
    // Only a new focus asks again; findOldest changes with the snapshot list.
  }, [focus.className, focus.nodeId]);

  const key = `${snapshotId}:${nodeId}`;
  useEffect(() => {
    if (nodeId === null || snapshotId === null) return;
    let current = true;
    // The graph carries the request it answers: the view re-fits when that graph arrives, not when the
    // request leaves (the old graph would be fitted, then the new one drawn unfitted).
    const fitKey = `${key}:${maxNodes}:${expand.join(',')}:${collapse.join(',')}:${unfold.join(',')}`;
    // Repeated stretches of the path come folded (a chain-shaped leak is one node × N), unless opened.
    call('retainerGraph', { id: snapshotId, nodeId, includeWeak: weak, expand, collapse, maxNodes, fold: true, unfold })
      .then((value) => current && setGraph({ key, fitKey, value }))
      .catch(actions.fail);
    call('retainerPaths', { id: snapshotId, nodeId, maxPaths: 3 })
      .then((value) => current && setPaths({ key, value }))
      .catch(actions.fail);
    return () => {
      current = false;
    };
  }, [nodeId, snapshotId, weak, expand, collapse, unfold, maxNodes, actions, key]);

  const shownGraph = graph?.key === key ? graph.value : null;
  const shownPaths = paths?.key === key ? paths.value : null;

  useEffect(() => {
    const name = shownPaths?.className;
    if (!name || snapshotId === null) return;
    call('byVia', { id: snapshotId, classNameOrKey: name, limit: 12 }).then(setByVia).catch(actions.fail);
  }, [shownPaths?.className, snapshotId, actions]);

  useEffect(() => {
    if (selected === null || snapshotId === null) return;
    setLive(null);
    call('details', { id: snapshotId, nodeId: selected, limit: 40 }).then(setDetails).catch(actions.fail);
    if (liveSession !== undefined) {
      call('livePreview', { sessionId: liveSession, nodeId: selected, className: '' }).then(setLive).catch(() => setLive(null));
    }
  }, [selected, snapshotId, liveSession, actions]);

  const onSelect = useCallback((id: number) => setSelected(id), []);
  const onExpand = useCallback((id: number) => setExpand((list) => [...new Set([...list, id])]), []);
  const onUnfold = useCallback((groupKey: number) => setUnfold((list) => [...new Set([...list, groupKey])]), []);
  const autoExpand: AutoExpand = useMemo(() => ({ kind: 'first', depth: 100 }), []);

  if (!snapshot) return <Empty title="No snapshot yet">The retainer graph comes from a heap snapshot. Take one in the Session tab, or open a file.</Empty>;

  return (
    <>
      <div className="panel">
        <div className="panel-head wrap">
          <h3>Retainers</h3>
          {picker}
          <SubmitRow onSubmit={() => void findOldest(className.trim())}>
            <input className="field" aria-label="Class" placeholder="Class, e.g. HtmlResponse" value={className} onChange={(e) => setClassName(e.target.value)} style={{ width: 200 }} />
            <button className="btn" type="submit">
              Oldest instance
            </button>
          </SubmitRow>
          <SubmitRow
            onSubmit={() => {
              const id = Number(goTo.trim().replace(/^@/, ''));
              if (Number.isInteger(id) && id >= 0) {
                setOldestSource(null);
                open(id);
              } else actions.fail(new Error(`'${goTo}' is not a heap id: write it as @12345 or 12345.`));
            }}
          >
            <input className="field mono" aria-label="Go to object id" placeholder="@id" value={goTo} onChange={(e) => setGoTo(e.target.value)} style={{ width: 110 }} />
            <button className="btn" type="submit">
              Go
            </button>
          </SubmitRow>
          <span className="spacer" />
          <label className="row">
            <input type="checkbox" checked={weak} onChange={(e) => setWeak(e.target.checked)} /> Show weak edges
          </label>
          <select className="field" aria-label="Objects drawn at most" title="How many objects the graph draws at most" value={maxNodes} onChange={(e) => setMaxNodes(Number(e.target.value))}>
            {[80, 200, 500, 2000].map((n) => (
              <option key={n} value={n}>
                ≤ {n.toLocaleString('en-US')} objects
              </option>
            ))}
          </select>
          <button className="btn small" onClick={() => graphRef.current?.fit()} title="Fit the whole graph in view (0)">
            Fit
          </button>
          <button className="btn small" onClick={() => graphRef.current?.reset()} title="Actual size, on the object">
            Reset
          </button>
          <button className="btn small" onClick={() => graphRef.current?.zoomBy(1.25)} aria-label="Zoom in">
            +
          </button>
          <button className="btn small" onClick={() => graphRef.current?.zoomBy(0.8)} aria-label="Zoom out">
            −
          </button>
        </div>
        {shownPaths && (
          <div className="panel-body" aria-label="Shortest retainer path">
            {oldestSource && shownPaths.nodeId === nodeId && (
              <div className="muted" data-oldest-source={oldestSource} style={{ marginBottom: 4 }}>
                {shownPaths.className} @{shownPaths.nodeId}: {OLDEST_TEXT[oldestSource]}.
              </div>
            )}
            {shownPaths.paths.length === 0 ? (
              <span className="muted">This object is not reachable from the GC roots: it will be collected.</span>
            ) : (
              <div className="mono" style={{ lineHeight: 1.8 }}>
                {foldedSteps(shownPaths.paths[0], shownGraph).map(({ step, i, group }) =>
                  group ? (
                    <span key={`group-${group.key}`} className="fold">
                      <button className="link-button" onClick={() => onUnfold(group.key)} title={`${group.objects} objects folded into one node of the graph: draw them`}>
                        ({group.segment.map((s) => `${s.className} ←${viaText(s.edgeType, s.edgeName)}—`).join(' ')}) × {group.repeat}
                      </button>{' '}
                    </span>
                  ) : (
                  <span key={`${step.nodeId}-${i}`}>
                    <button
                      className="link-button"
                      onClick={() => {
                        setSelected(step.nodeId);
                        graphRef.current?.panTo(step.nodeId);
                      }}
                      title={`@${step.nodeId}: show it in the graph`}
                    >
                      {formatNodeLabel(step)}
                    </button>
                    {step.edgeName && (
                      <span className="grow">
                        {' '}
                        ←{viaText(step.edgeType, step.edgeName)}—{' '}
                      </span>
                    )}
                  </span>
                  ),
                )}
                <span className="muted"> (GC root)</span>
              </div>
            )}
            <details className="allocation" open={Boolean(shownPaths.allocationStack?.length)} aria-label="Allocation stack">
              <summary className="muted">Allocated at</summary>
              <AllocationStack frames={shownPaths.allocationStack} onOpen={(frame) => void editor.open(frame)} />
              {editor.panel}
            </details>
          </div>
        )}
        {nodeId === null && <Empty title="Pick a class">Enter a class name, or choose one in Live refs, the Type summary or the Diff. The graph opens on its oldest instance.</Empty>}
        {nodeId !== null && (
          <div className={`retainers-layout${treeShown ? '' : ' wide'}`}>
            {/* Over the drawing: the header has no room left at 1440 px. */}
            <div className="graph-tools row">
              {unfold.length > 0 && (
                <button className="btn small" onClick={() => setUnfold([])} title="Draw each repeated chain as one node × N again">
                  Fold chains
                </button>
              )}
              {!treeShown && (
                <button className="btn small" onClick={() => setTreeShown(true)}>
                  Show the Retainers tree
                </button>
              )}
            </div>
            {shownGraph ? <RetainerGraphView ref={graphRef} graph={shownGraph} selected={selected} fitKey={graph?.fitKey ?? key} onSelect={onSelect} onExpand={onExpand} onUnfold={onUnfold} /> : <div className="graph-host"><Empty title="Laying out the graph…" /></div>}
            <div className="retainer-tree" aria-label="Retainers tree" hidden={!treeShown}>
              <div className="tree-head row">
                <b>Retainers tree</b> <span className="muted">closest to the roots first</span>
                <span className="spacer" style={{ flex: 1 }} />
                <button className="btn small" onClick={() => setTreeShown(false)} title="Give the graph the whole width">
                  Hide
                </button>
              </div>
              <TreeView
                key={key}
                snapshotId={snapshot.id}
                kind="retainers"
                rootNodeId={nodeId}
                totalSize={snapshot.info.totalSize}
                autoExpand={autoExpand}
                label="Retainers tree"
                selected={selected}
                onSelect={(row) => {
                  setSelected(row.nodeId);
                  graphRef.current?.panTo(row.nodeId);
                }}
                onOpen={(row) => {
                  setOldestSource(null);
                  open(row.nodeId);
                }}
                onError={actions.fail}
              />
            </div>
          </div>
        )}
      </div>
      <div className="grid-2">
        <div className="panel">
          <div className="panel-head">
            <h3>{details ? `${nodeLabel(details)} @${details.nodeId}` : 'Object'}</h3>
            <span className="spacer" />
            {details && (
              <>
                <button className="btn small" onClick={() => setExpand((l) => [...new Set([...l, details.nodeId])])}>
                  Expand retainers
                </button>
                <button className="btn small" onClick={() => setCollapse((l) => [...new Set([...l, details.nodeId])])}>
                  Collapse
                </button>
                <button className="btn small" onClick={() => open(details.nodeId)}>
                  Graph from here
                </button>
              </>
            )}
          </div>
          {!details && <Empty title="Click a node">Its sizes, its distance and its properties appear here{workspace.target ? ', with live values from the running process' : ''}.</Empty>}
          {details && (
            <div className="panel-body">
              <div className="kv" style={{ marginBottom: 10 }}>
                <span className="muted">Shallow</span>
                <span>{formatBytes(details.shallowSize)}</span>
                <span className="muted">Retained</span>
                <span>{formatBytes(details.retainedSize)}</span>
                <span className="muted">Distance</span>
                <span>{details.distance}</span>
                {details.value !== null && (
                  <>
                    <span className="muted">Value</span>
                    <span className="mono">{details.value}</span>
                  </>
                )}
              </div>
              {live && (
                <>
                  <b>Live, now</b>
                  <PropertyList properties={live.properties} className="props mono" style={{ marginBottom: 10 }} />
                </>
              )}
              <b>In the snapshot ({details.propertyCount} references)</b>
              <DataTable
                label="References of the object"
                rows={details.properties.map((p, i) => ({ ...p, i }))}
                rowKey={(p) => `${p.edgeName}-${p.i}`}
                filterText={(p) => `${viaText(p.edgeType, p.edgeName)} ${p.value ?? nodeLabel(p)}`}
                placeholder="Filter references"
                onRowClick={(p) => setSelected(p.nodeId)}
                columns={[
                  { key: 'edge', title: 'Reference', value: (p) => viaText(p.edgeType, p.edgeName), cellClass: () => 'mono' },
                  { key: 'value', title: 'Value', value: (p) => p.value ?? nodeLabel(p) },
                  { key: 'retained', title: 'Retained', num: true, value: (p) => p.retainedSize, render: (p) => formatBytes(p.retainedSize) },
                ]}
              />
            </div>
          )}
        </div>
        <div className="panel">
          <div className="panel-head">
            <h3>{shownPaths ? `${shownPaths.className} by referrer` : 'By referrer'}</h3>
          </div>
          {!byVia && <Empty title="—" />}
          {byVia && (
            <ByViaTable rows={byVia} showSize={false} />
          )}
        </div>
      </div>
    </>
  );
}
