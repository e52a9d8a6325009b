/**
 * The retainer graph's drawing: the engine's layered layout (roots left, the object right) in an SVG with zoom
 * and pan. It opens fitted to the view, so the object and its roots are both on screen; Fit and Reset, a
 * minimap that shows and moves the view, a legend, a tooltip next to the hovered node, and panning to a node
 * on request (a path step clicked). The drawing is memoised: zooming moves one transform, not the nodes.
 * A repeated stretch of the path that the engine folded (a chain-shaped leak) is one group node `× 41`: a
 * click draws its objects, and each of them then offers to fold the group back.
 */
import { forwardRef, memo, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { GraphNode, LaidOutRetainerGraph } from '../../../shared/model';
import { formatBytes, formatNodeLabel, formatVia, VIA_LEGEND } from '../../../shared/format';

/** How an edge reads, as in every other output (‹name› marks a V8 internal, not a JavaScript property). */
export function viaText(type: string, name: string): string {
  return type === '' ? '' : formatVia(type, name);
}

/** What the view can ask of the drawing. */
export interface GraphHandle {
  fit(): void;
  reset(): void;
  panTo(nodeId: number): void;
  zoomBy(factor: number): void;
}

interface Props {
  graph: LaidOutRetainerGraph;
  selected: number | null;
  /** Changes when the graph should open fitted again (a new object, nodes expanded); not on a weak toggle. */
  fitKey: string;
  onSelect(nodeId: number): void;
  onExpand(nodeId: number): void;
  /** A group node was clicked: draw its objects (by the group's key). */
  onUnfold(key: number): void;
}

/** A group's segment, as classes in retaining order: `HtmlResponse ← {referer} ← Request`. */
export function segmentText(node: GraphNode): string {
  return (node.group?.segment ?? []).map((step) => step.className).join(' ← ');
}

const MIN_SCALE = 0.03;
const MAX_SCALE = 3;
const PAD = 24;

/** Labels are drawn from this scale up (12 px text is then 3.6 px or more: below it no label can be read). */
const FAR_SCALE = 0.3;
/** Labels come back this long after the last change of scale. */
const ZOOM_SETTLE_MS = 150;

export const RetainerGraphView = forwardRef<GraphHandle, Props>(function RetainerGraphView({ graph, selected, fitKey, onSelect, onExpand, onUnfold }, ref) {
  const hostRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const layerRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const [transform, setTransform] = useState<ZoomTransform>(zoomIdentity);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [hover, setHover] = useState<{ node: GraphNode; x: number; y: number } | null>(null);
  const [legend, setLegend] = useState(true);
  const { layout } = graph;

  const apply = (next: ZoomTransform) => {
    if (svgRef.current && zoomRef.current) select(svgRef.current).call(zoomRef.current.transform, next);
  };
  const viewSize = () => {
    const rect = svgRef.current?.getBoundingClientRect();
    return { width: rect?.width ?? 0, height: rect?.height ?? 0 };
  };
  const fitTransform = () => {
    const { width, height } = viewSize();
    const k = Math.max(MIN_SCALE, Math.min(1.2, (width - 2 * PAD) / layout.width, (height - 2 * PAD) / layout.height));
    return zoomIdentity.translate((width - layout.width * k) / 2, (height - layout.height * k) / 2).scale(k);
  };
  const centreOn = (x: number, y: number, k: number) => {
    const { width, height } = viewSize();
    return zoomIdentity.translate(width / 2 - x * k, height / 2 - y * k).scale(k);
  };
  const position = (nodeId: number) => layout.nodes.find((n) => n.nodeId === nodeId);
  const zoomBy = (factor: number) => {
    if (svgRef.current && zoomRef.current) select(svgRef.current).call(zoomRef.current.scaleBy, factor);
  };

  useImperativeHandle(ref, () => ({
    fit: () => apply(fitTransform()),
    reset: () => {
      // Readable size (1:1), the object in view near the right edge: where a person starts to read.
      const target = position(graph.targetNodeId);
      if (!target) return;
      const { width, height } = viewSize();
      apply(zoomIdentity.translate(width - PAD - (target.x + layout.nodeWidth / 2), height / 2 - target.y));
    },
    panTo: (nodeId) => {
      const p = position(nodeId);
      if (p && svgRef.current) apply(centreOn(p.x, p.y, Math.max(transform.k, 0.8)));
    },
    zoomBy,
  }));

  // The zoom behaviour, once per mounted SVG.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    let lastScale = 1;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const behaviour = zoom<SVGSVGElement, unknown>()
      .scaleExtent([MIN_SCALE, MAX_SCALE])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        const layer = layerRef.current;
        layer?.setAttribute('transform', event.transform.toString());
        // Level of detail: below FAR_SCALE a label is a few pixels high, unreadable, and painting hundreds of
        // them is most of a frame's cost; the boxes and arrows stay, and the tooltip still names each node.
        layer?.classList.toggle('far', event.transform.k < FAR_SCALE);
        // While the scale changes, every label is laid out again at each step (panning only moves them): the
        // labels rest until the wheel stops, so that zooming stays smooth on a big graph.
        if (event.transform.k !== lastScale && layer) {
          lastScale = event.transform.k;
          layer.classList.add('zooming');
          clearTimeout(settle);
          settle = setTimeout(() => layer.classList.remove('zooming'), ZOOM_SETTLE_MS);
        }
        setTransform(event.transform);
      });
    zoomRef.current = behaviour;
    const selection = select(svg);
    selection.call(behaviour).on('dblclick.zoom', null);
    const observer = new ResizeObserver(() => setSize(viewSize()));
    observer.observe(svg);
    return () => {
      clearTimeout(settle);
      observer.disconnect();
      selection.on('.zoom', null);
    };
  }, []);

  // A node that goes away (a group opened, a graph replaced) takes its tooltip with it: no mouseleave comes.
  useEffect(() => setHover(null), [graph]);

  // Open fitted: the whole graph, the object and its roots on one screen.
  useEffect(() => {
    apply(fitTransform());
    // Only a new object or new nodes re-fit; a weak toggle keeps the view (the layout does not move).
  }, [fitKey]);

  const labels = useMemo(() => {
    const map = new Map<string, { text: string; hot: boolean; weak: boolean }>();
    for (const edge of graph.edges) {
      const key = `${edge.from}>${edge.to}`;
      const existing = map.get(key);
      const text = viaText(edge.type, edge.name);
      map.set(key, { text: existing ? `${existing.text}, ${text}` : text, hot: (existing?.hot ?? false) || edge.onShortestPath, weak: (existing?.weak ?? true) && edge.type === 'weak' });
    }
    return map;
  }, [graph]);

  const drawing = useMemo(() => {
    const nodesById = new Map(graph.nodes.map((n) => [n.nodeId, n]));
    const w = layout.nodeWidth;
    const h = layout.nodeHeight;
    return (
      <>
        {layout.edges.map((edge) => {
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
        {layout.nodes.map((p) => {
          const node = nodesById.get(p.nodeId);
          if (!node) return null;
          const isTarget = node.nodeId === graph.targetNodeId;
          const hover = (e: React.MouseEvent<SVGGElement>) => {
            const host = hostRef.current?.getBoundingClientRect();
            const box = e.currentTarget.getBoundingClientRect();
            if (host) setHover({ node, x: box.left - host.left, y: box.bottom - host.top });
          };
          if (node.group) {
            const { group } = node;
            const segment = segmentText(node);
            return (
              <g
                key={p.nodeId}
                className="node group"
                data-group-key={group.key}
                role="button"
                aria-label={`${segment}, repeated × ${group.repeat} (${group.objects} objects): expand`}
                transform={`translate(${p.x - w / 2},${p.y - h / 2})`}
                style={{ cursor: 'pointer' }}
                tabIndex={0}
                onClick={() => onUnfold(group.key)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onUnfold(group.key);
                  }
                }}
                onMouseEnter={hover}
                onMouseLeave={() => setHover(null)}
              >
                <rect className="stack" x={5} y={-5} width={w} height={h} rx={6} />
                <rect width={w} height={h} rx={6} />
                <text x={10} y={19} fontWeight={700}>
                  × {group.repeat} <tspan className="sub" fontWeight={400}>{segment.length > 15 ? `${segment.slice(0, 14)}…` : segment}</tspan>
                </text>
                <text className="sub" x={10} y={36}>
                  {group.objects} objects · {formatBytes(node.shallowSize)} · ⊞
                </text>
              </g>
            );
          }
          return (
            <g
              key={p.nodeId}
              className={`node${node.isRoot ? ' root' : ''}${isTarget ? ' target' : ''}${node.unfoldedFrom !== undefined ? ' unfolded' : ''}`}
              data-node-id={node.nodeId}
              transform={`translate(${p.x - w / 2},${p.y - h / 2})`}
              style={{ cursor: 'pointer' }}
              onClick={() => onSelect(node.nodeId)}
              onDoubleClick={() => onExpand(node.nodeId)}
              onMouseEnter={hover}
              onMouseLeave={() => setHover(null)}
            >
              <rect width={w} height={h} rx={6} />
              <text x={10} y={19} fontWeight={600}>
                {isTarget ? '◆ ' : node.isRoot ? '⌂ ' : ''}
                {(() => {
                  // A function reads by its name and place (`revalidateUpload() crawler.mjs:88`), cut to the box.
                  const label = formatNodeLabel(node);
                  return label.length > 20 ? `${label.slice(0, 19)}…` : label;
                })()}
              </text>
              <text className="sub" x={10} y={36}>
                @{node.nodeId} · {formatBytes(node.retainedSize)}
                {node.truncated ? ' · ⋯' : ''}
              </text>
            </g>
          );
        })}
      </>
    );
  }, [graph, labels, layout, onSelect, onExpand, onUnfold]);

  const selectedPosition = selected === null ? undefined : position(selected);
  const rootCount = graph.nodes.filter((n) => n.isRoot).length;
  return (
    <div className="graph-host" ref={hostRef}>
      <svg ref={svgRef} role="img" aria-label={`Retainer graph of @${graph.targetNodeId}: ${graph.nodes.length} objects, ${rootCount} held by GC roots`} tabIndex={0} onKeyDown={(e) => (e.key === '+' || e.key === '=' ? zoomBy(1.25) : e.key === '-' ? zoomBy(0.8) : e.key === '0' ? apply(fitTransform()) : undefined)}>
        <defs>
          <marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="var(--muted)" />
          </marker>
          <marker id="arrowhead-hot" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="var(--accent)" />
          </marker>
        </defs>
        <g ref={layerRef}>
          {drawing}
          {selectedPosition && <rect className="selection" x={selectedPosition.x - layout.nodeWidth / 2 - 4} y={selectedPosition.y - layout.nodeHeight / 2 - 4} width={layout.nodeWidth + 8} height={layout.nodeHeight + 8} rx={9} />}
        </g>
      </svg>
      {legend ? (
        <div className="legend" aria-label="Legend">
          <button className="btn small legend-close" onClick={() => setLegend(false)} aria-label="Hide the legend">
            ×
          </button>
          <div><span className="swatch target" /> ◆ the object</div>
          <div><span className="swatch root" /> ⌂ held by a GC root</div>
          <div><span className="line hot" /> shortest path to a root</div>
          <div><span className="line" /> reference (retainer → object)</div>
          <div><span className="line weak" /> weak reference</div>
          <div className="mono muted">{VIA_LEGEND}</div>
          <div><span className="swatch group" /> × N a repeated chain, folded: click to draw it</div>
          <div className="muted">⋯ more retainers: double-click</div>
        </div>
      ) : (
        <button className="btn small legend-open" onClick={() => setLegend(true)}>
          Legend
        </button>
      )}
      <Minimap graph={graph} transform={transform} view={size} onCentre={(x, y) => apply(centreOn(x, y, transform.k))} />
      {hover?.node.group && (
        <div className="tooltip" style={{ left: Math.max(4, Math.min(hover.x, size.width - 260)), top: hover.y + 6 }}>
          <b>{hover.node.className}</b>
          <div>
            {hover.node.group.objects} objects in the chain and its branches · {formatBytes(hover.node.shallowSize)} of their own (shallow)
          </div>
          <div className="muted">Click to draw each object.</div>
        </div>
      )}
      {hover && !hover.node.group && (
        <div className="tooltip" style={{ left: Math.max(4, Math.min(hover.x, size.width - 260)), top: hover.y + 6 }}>
          <b>{formatNodeLabel(hover.node)}</b> <span className="mono muted">@{hover.node.nodeId}</span>
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
  );
});

/** The whole graph in small, with the part in view outlined; a click centres the view there. */
const Minimap = memo(function Minimap({ graph, transform, view, onCentre }: { graph: LaidOutRetainerGraph; transform: ZoomTransform; view: { width: number; height: number }; onCentre(x: number, y: number): void }) {
  const { layout } = graph;
  const width = 180;
  const height = Math.max(40, Math.min(130, (width * layout.height) / layout.width));
  const k = Math.min(width / layout.width, height / layout.height);
  const nodes = useMemo(
    () =>
      layout.nodes.map((p) => {
        const node = graph.nodes.find((n) => n.nodeId === p.nodeId);
        const cls = node?.nodeId === graph.targetNodeId ? 'target' : node?.isRoot ? 'root' : node?.group ? 'group' : '';
        return <rect key={p.nodeId} className={cls} x={(p.x - layout.nodeWidth / 2) * k} y={(p.y - layout.nodeHeight / 2) * k} width={Math.max(1.5, layout.nodeWidth * k)} height={Math.max(1.5, layout.nodeHeight * k)} />;
      }),
    [graph, layout, k],
  );
  // The view in layout coordinates.
  const vx = -transform.x / transform.k;
  const vy = -transform.y / transform.k;
  return (
    <svg
      className="minimap"
      width={width}
      height={height}
      role="img"
      aria-label="Minimap: click to move the view"
      onClick={(e) => {
        const box = e.currentTarget.getBoundingClientRect();
        onCentre((e.clientX - box.left) / k, (e.clientY - box.top) / k);
      }}
    >
      {nodes}
      <rect className="viewport" x={vx * k} y={vy * k} width={(view.width / transform.k) * k} height={(view.height / transform.k) * k} />
    </svg>
  );
});
