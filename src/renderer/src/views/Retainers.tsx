/**
 * The retainer graph: from the oldest instance of a class back to the GC roots, drawn with d3 on the
 * layered layout the main process computes (roots on the left, the object on the right). The shortest path
 * is highlighted; weak edges are hidden unless asked for; double-click expands a node, and the details pane
 * collapses it; zoom and pan with the mouse or the keyboard; hover for sizes; click for details.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { select, zoom, zoomIdentity, type ZoomBehavior } from 'd3';
import type { ByViaRow, GraphNode, LaidOutRetainerGraph, LivePreview, ObjectDetails, RetainerPaths } from '../../../shared/model';
import { formatBytes, formatNodeLabel, formatVia } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Focus, Workspace } from '../App';
import { ByViaTable, Empty, PropertyList, SubmitRow } from '../components';

/** Edges read as in every other output (‹name› marks a V8 internal, not a JavaScript property). */
const viaText = formatVia;

/** A node's label: its class, or for a function its name and place (`revalidateUpload() crawler.mjs:88`). */
const nodeLabel = formatNodeLabel;

export function RetainersView({ workspace, focus, actions }: { workspace: Workspace; focus: Focus; actions: AppActions }) {
  const snapshots = workspace.snapshots;
  const snapshotId = focus.snapshotId && snapshots.some((s) => s.id === focus.snapshotId) ? focus.snapshotId : snapshots[snapshots.length - 1]?.id ?? null;
  const [className, setClassName] = useState(focus.className ?? '');
  const [nodeId, setNodeId] = useState<number | null>(focus.nodeId);
  const [graph, setGraph] = useState<LaidOutRetainerGraph | null>(null);
  const [paths, setPaths] = useState<RetainerPaths | null>(null);
  const [weak, setWeak] = useState(false);
  const [expand, setExpand] = useState<number[]>([]);
  const [collapse, setCollapse] = useState<number[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [details, setDetails] = useState<ObjectDetails | null>(null);
  const [live, setLive] = useState<LivePreview | null>(null);
  const [byVia, setByVia] = useState<ByViaRow[] | null>(null);
  const [hover, setHover] = useState<{ node: GraphNode; x: number; y: number } | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const layerRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);

  const findOldest = useCallback(
    async (name: string) => {
      if (!name || snapshotId === null) return;
      try {
        const { nodeId: oldest } = await call('oldest', { ids: snapshots.map((s) => s.id).filter((id) => id <= snapshotId), classNameOrKey: name });
        setExpand([]);
        setCollapse([]);
        setSelected(oldest);
        setNodeId(oldest);
      } catch (e) {
        actions.fail(e);
      }
    },
    [snapshotId, snapshots, actions],
  );

  useEffect(() => {
    if (focus.className && focus.nodeId === null) {
      setClassName(focus.className);
      void findOldest(focus.className);
    }
  }, [focus.className, focus.nodeId, findOldest]);

  useEffect(() => {
    if (nodeId === null || snapshotId === null) return;
    call('retainerGraph', { id: snapshotId, nodeId, includeWeak: weak, expand, collapse, maxNodes: 80 }).then(setGraph).catch(actions.fail);
    call('retainerPaths', { id: snapshotId, nodeId, maxPaths: 3 }).then(setPaths).catch(actions.fail);
  }, [nodeId, snapshotId, weak, expand, collapse, actions]);

  useEffect(() => {
    const name = paths?.className;
    if (!name || snapshotId === null) return;
    call('byVia', { id: snapshotId, classNameOrKey: name, limit: 12 }).then(setByVia).catch(actions.fail);
  }, [paths?.className, snapshotId, actions]);

  useEffect(() => {
    if (selected === null || snapshotId === null) return;
    setLive(null);
    call('details', { id: snapshotId, nodeId: selected, limit: 40 }).then(setDetails).catch(actions.fail);
    if (workspace.target && !workspace.gone) {
      call('livePreview', { sessionId: workspace.target.sessionId, nodeId: selected, className: '' }).then(setLive).catch(() => setLive(null));
    }
  }, [selected, snapshotId, workspace.target, workspace.gone, actions]);

  // Zoom and pan, fitted to the graph whenever it changes.
  useEffect(() => {
    const svg = svgRef.current;
    const layer = layerRef.current;
    if (!svg || !layer || !graph) return;
    const behaviour = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.15, 3])
      .on('zoom', (event) => layer.setAttribute('transform', event.transform.toString()));
    zoomRef.current = behaviour;
    const selection = select(svg);
    selection.call(behaviour).on('dblclick.zoom', null);
    const { width, height } = svg.getBoundingClientRect();
    const { layout } = graph;
    const fit = Math.min(1.1, (width - 40) / (layout.width + 40), (height - 40) / (layout.height + 40));
    if (fit >= 0.55) {
      selection.call(behaviour.transform, zoomIdentity.translate((width - layout.width * fit) / 2, (height - layout.height * fit) / 2).scale(fit));
    } else {
      // Too big to read whole: open on the object (right), readable, with its path leading off to the roots.
      const scale = 0.85;
      const target = layout.nodes.find((n) => n.nodeId === graph.targetNodeId) ?? layout.nodes[0];
      selection.call(behaviour.transform, zoomIdentity.translate(width - 40 - (target.x + layout.nodeWidth / 2) * scale, height / 2 - target.y * scale).scale(scale));
    }
    return () => {
      selection.on('.zoom', null);
    };
  }, [graph]);

  const zoomBy = (factor: number) => {
    if (svgRef.current && zoomRef.current) select(svgRef.current).call(zoomRef.current.scaleBy, factor);
  };

  const labels = useMemo(() => {
    const map = new Map<string, { text: string; hot: boolean; weak: boolean }>();
    for (const edge of graph?.edges ?? []) {
      const key = `${edge.from}>${edge.to}`;
      const existing = map.get(key);
      const text = viaText(edge.type, edge.name);
      map.set(key, { text: existing ? `${existing.text}, ${text}` : text, hot: (existing?.hot ?? false) || edge.onShortestPath, weak: (existing?.weak ?? true) && edge.type === 'weak' });
    }
    return map;
  }, [graph]);

  if (snapshots.length === 0) return <Empty title="No snapshot yet">The retainer graph comes from a heap snapshot. Take one in the Session tab, or open a file.</Empty>;
  const nodesById = new Map(graph?.nodes.map((n) => [n.nodeId, n]) ?? []);
  const w = graph?.layout.nodeWidth ?? 0;
  const h = graph?.layout.nodeHeight ?? 0;

  return (
    <>
      <div className="panel">
        <div className="panel-head">
          <h3>Retainers</h3>
          <SubmitRow onSubmit={() => void findOldest(className.trim())}>
            <input className="field" aria-label="Class" placeholder="Class, e.g. HtmlResponse" value={className} onChange={(e) => setClassName(e.target.value)} style={{ width: 220 }} />
            <button className="btn" type="submit">
              Oldest instance
            </button>
          </SubmitRow>
          <span className="spacer" />
          <label className="row">
            <input type="checkbox" checked={weak} onChange={(e) => setWeak(e.target.checked)} /> Show weak edges
          </label>
          <button className="btn small" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
            +
          </button>
          <button className="btn small" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
            −
          </button>
        </div>
        {paths && (
          <div className="panel-body" aria-label="Shortest retainer path">
            {paths.paths.length === 0 ? (
              <span className="muted">This object is not reachable from the GC roots: it will be collected.</span>
            ) : (
              <div className="mono" style={{ lineHeight: 1.8 }}>
                {paths.paths[0].map((step, i) => (
                  <span key={`${step.nodeId}-${i}`}>
                    <a
                      href="#"
                      onClick={(e) => {
                        e.preventDefault();
                        setSelected(step.nodeId);
                      }}
                    >
                      {formatNodeLabel(step)}
                    </a>
                    {step.edgeName && (
                      <span className="grow">
                        {' '}
                        ←{viaText(step.edgeType, step.edgeName)}—{' '}
                      </span>
                    )}
                  </span>
                ))}
                <span className="muted"> (GC root)</span>
              </div>
            )}
          </div>
        )}
        {nodeId === null && <Empty title="Pick a class">Enter a class name, or choose one in Live refs, the Type summary or the Diff. The graph opens on its oldest instance.</Empty>}
        {graph && (
          <div className="graph-host">
            <svg ref={svgRef} role="img" aria-label={`Retainer graph of @${graph.targetNodeId}`} tabIndex={0} onKeyDown={(e) => (e.key === '+' || e.key === '=' ? zoomBy(1.25) : e.key === '-' ? zoomBy(0.8) : undefined)}>
              <defs>
                <marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M0,0 L10,5 L0,10 z" fill="var(--muted)" />
                </marker>
                <marker id="arrowhead-hot" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M0,0 L10,5 L0,10 z" fill="var(--accent)" />
                </marker>
              </defs>
              <g ref={layerRef}>
                {graph.layout.edges.map((edge) => {
                  const label = labels.get(`${edge.from}>${edge.to}`);
                  const points = edge.points;
                  const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x},${y}`).join(' ');
                  const k = Math.max(1, Math.floor(points.length / 2));
                  const mid = [(points[k - 1][0] + points[k][0]) / 2, (points[k - 1][1] + points[k][1]) / 2];
                  return (
                    <g key={`${edge.from}>${edge.to}`} className={`edge${label?.hot ? ' hot' : ''}${label?.weak ? ' weak' : ''}`}>
                      <path d={d} markerEnd={`url(#${label?.hot ? 'arrowhead-hot' : 'arrowhead'})`} />
                      <text x={mid[0]} y={mid[1] - 6} textAnchor="middle">
                        {(label?.text ?? '').slice(0, 30)}
                      </text>
                    </g>
                  );
                })}
                {graph.layout.nodes.map((p) => {
                  const node = nodesById.get(p.nodeId);
                  if (!node) return null;
                  const classes = ['node', node.isRoot ? 'root' : '', node.nodeId === graph.targetNodeId ? 'target' : '', node.nodeId === selected ? 'selected' : ''].join(' ');
                  return (
                    <g
                      key={p.nodeId}
                      className={classes}
                      transform={`translate(${p.x - w / 2},${p.y - h / 2})`}
                      style={{ cursor: 'pointer' }}
                      onClick={() => setSelected(node.nodeId)}
                      onDoubleClick={() => setExpand((list) => [...new Set([...list, node.nodeId])])}
                      onMouseEnter={(e) => setHover({ node, x: e.nativeEvent.offsetX, y: e.nativeEvent.offsetY })}
                      onMouseLeave={() => setHover(null)}
                    >
                      <rect width={w} height={h} rx={6} />
                      <text x={10} y={19} fontWeight={600}>
                        {nodeLabel(node).length > 24 ? `${nodeLabel(node).slice(0, 23)}…` : nodeLabel(node)}
                      </text>
                      <text className="sub" x={10} y={36}>
                        @{node.nodeId} · {formatBytes(node.retainedSize)}
                        {node.truncated ? ' · ⋯' : ''}
                      </text>
                    </g>
                  );
                })}
              </g>
            </svg>
            {hover && (
              <div className="tooltip" style={{ left: hover.x + 14, top: hover.y + 14 }}>
                <b>{nodeLabel(hover.node)}</b> <span className="mono muted">@{hover.node.nodeId}</span>
                {hover.node.closure?.script && (
                  <div className="mono muted">
                    {hover.node.closure.script}:{hover.node.closure.line}:{hover.node.closure.column}
                  </div>
                )}
                <div>
                  Shallow {formatBytes(hover.node.shallowSize)} · Retained {formatBytes(hover.node.retainedSize)}
                </div>
                <div className="muted">
                  Distance {hover.node.distance} · {hover.node.type}
                  {hover.node.truncated ? ' · more retainers: double-click' : ''}
                </div>
              </div>
            )}
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
                <button className="btn small" onClick={() => setNodeId(details.nodeId)}>
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
              <table className="data">
                <tbody>
                  {details.properties.map((p, i) => (
                    <tr key={`${p.edgeName}-${i}`} className="clickable" onClick={() => setSelected(p.nodeId)}>
                      <td className="mono">{viaText(p.edgeType, p.edgeName)}</td>
                      <td>{p.value ?? nodeLabel(p)}</td>
                      <td className="num">{formatBytes(p.retainedSize)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div className="panel">
          <div className="panel-head">
            <h3>{paths ? `${paths.className} by referrer` : 'By referrer'}</h3>
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
