/**
 * Where a function was written: a closure's name, script and 1-based line and column (the original source's
 * when the graph was given a source mapper, see sourcemaps.ts), from the snapshot's
 * `locations` section (V8 records one row per JSFunction, and per object with a constructor, as
 * `object_index, script_id, line, column`, both 0-based) and from the function's V8 internals
 * (`shared` → SharedFunctionInfo → `script` → Script → `name`, the script's URL).
 *
 * A closure context (`system / Context`) is named by a closure that holds it (its `context` edge, the
 * function that captured the variables), or else by the function whose scope created it (the context's
 * `scope_info` is that function's `name_or_scope_info`), so that "what does this context belong to" reads
 * as code, not as `system / Context @109047`.
 *
 * Complexity: the first call per snapshot indexes the location rows, O(L) (O(L log L) if V8 wrote them out
 * of node order) for L rows, and keeps 8 × L bytes; each call after that is O(log L) plus the few edges of the function and its context.
 * Source: V8's src/profiler/heap-snapshot-generator.cc (ExtractLocation, ExtractSharedFunctionInfoReferences,
 * ExtractScriptReferences), read for the edge names.
 */
import { formatFunction } from '../../shared/format.ts';
import type { FunctionLocation } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import type { HeapGraph } from './graph.ts';
import { sourceMapperOf } from './sourcemaps.ts';

/** The location rows sorted by node ordinal: rows[i] is a row number, ordinals[i] its node's ordinal. */
interface LocationIndex {
  ordinals: Uint32Array;
  rows: Uint32Array;
}

const indexes = new WeakMap<HeapGraph, LocationIndex>();

function locationIndex(graph: HeapGraph): LocationIndex {
  let index = indexes.get(graph);
  if (index) return index;
  const { locations } = graph;
  const { locationFieldCount, locationIndexOffset, nodeFieldCount } = graph.layout;
  const count = locationFieldCount > 0 && locationIndexOffset >= 0 ? Math.floor(locations.length / locationFieldCount) : 0;
  const ordinals = new Uint32Array(count);
  let rows = new Uint32Array(count);
  let sorted = true;
  for (let row = 0; row < count; row++) {
    // A row whose node index is not a node is reported by the class naming (classes.ts); here it is skipped
    // by giving it an ordinal no node has.
    const nodeIndex = locations[row * locationFieldCount + locationIndexOffset];
    ordinals[row] = nodeIndex % nodeFieldCount === 0 && nodeIndex / nodeFieldCount < graph.nodeCount ? nodeIndex / nodeFieldCount : 0xffffffff;
    rows[row] = row;
    if (row > 0 && ordinals[row] < ordinals[row - 1]) sorted = false;
  }
  if (!sorted) {
    // V8 writes rows in the order it met the objects, which is nearly always node order; sort when not.
    rows = rows.sort((a, b) => ordinals[a] - ordinals[b]);
    const sortedOrdinals = new Uint32Array(count);
    for (let i = 0; i < count; i++) sortedOrdinals[i] = ordinals[rows[i]];
    index = { ordinals: sortedOrdinals, rows };
  } else {
    index = { ordinals, rows };
  }
  indexes.set(graph, index);
  return index;
}

/** The location row of a node, or -1. */
function locationRow(graph: HeapGraph, ordinal: number): number {
  const { ordinals, rows } = locationIndex(graph);
  let low = 0;
  let high = ordinals.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (ordinals[middle] < ordinal) low = middle + 1;
    else if (ordinals[middle] > ordinal) high = middle - 1;
    else return rows[middle];
  }
  return -1;
}

/** The target of a node's first edge of type `internal` named `name`, or -1. */
function internalEdge(graph: HeapGraph, ordinal: number, name: string): number {
  const internal = graph.layout.edgeType.internal;
  for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
    if (graph.edgeType(e) === internal && graph.edgeName(e) === name) return graph.edgeTargetOrdinal(e);
  }
  return -1;
}

/** The first retainer of a node that holds it by an `internal` edge named `name` and has node type `type`, or -1. */
function internalRetainer(graph: HeapGraph, ordinal: number, name: string, type: number): number {
  const internal = graph.layout.edgeType.internal;
  for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
    const edgeIndex = graph.retainingEdges[slot];
    const retainer = graph.retainingNodeOrdinals[slot];
    if (graph.nodeType(retainer) === type && graph.edgeType(edgeIndex) === internal && graph.edgeName(edgeIndex) === name) return retainer;
  }
  return -1;
}

/** A closure's script name: shared → script → name (a string), else the Script node's own name. */
function scriptName(graph: HeapGraph, closure: number): string | null {
  const shared = internalEdge(graph, closure, 'shared');
  if (shared < 0) return null;
  const script = internalEdge(graph, shared, 'script');
  if (script < 0) return null;
  const name = internalEdge(graph, script, 'name');
  const t = graph.layout.nodeType;
  if (name >= 0 && (graph.nodeType(name) === t.string || graph.nodeType(name) === t.consString || graph.nodeType(name) === t.slicedString)) {
    const text = graph.nodeName(name);
    if (text !== '') return text;
  }
  const own = graph.nodeName(script);
  return own === '' || own.startsWith('system / ') ? null : own;
}

/**
 * The closure that names a `system / Context` node: one that captured it (holds it by `context`), else one
 * whose function's scope created it. -1 when neither is in the snapshot.
 */
function closureOfContext(graph: HeapGraph, context: number): number {
  const closureType = graph.layout.nodeType.closure;
  const holder = internalRetainer(graph, context, 'context', closureType);
  if (holder >= 0) return holder;
  const scopeInfo = internalEdge(graph, context, 'scope_info');
  if (scopeInfo < 0) return -1;
  const shared = internalRetainer(graph, scopeInfo, 'name_or_scope_info', graph.layout.nodeType.code);
  if (shared < 0) return -1;
  return internalRetainer(graph, shared, 'shared', closureType);
}

/** True for V8's closure contexts (`system / Context`; not the native context, which is the realm). */
function isContext(graph: HeapGraph, ordinal: number): boolean {
  return graph.nodeName(ordinal) === 'system / Context';
}

/**
 * The closure that a node stands for: the node itself for a closure, the closure that holds or created it
 * for a `system / Context`, else -1.
 */
export function closureOf(snapshot: AnalyzedSnapshot, ordinal: number): number {
  const { graph } = snapshot;
  if (graph.nodeType(ordinal) === graph.layout.nodeType.closure) return ordinal;
  if (isContext(graph, ordinal)) return closureOfContext(graph, ordinal);
  return -1;
}

/**
 * The name, script and 1-based line and column of the function a node stands for: a closure, or the closure
 * of a `system / Context` (see the file comment). Null for other nodes, and for functions the snapshot has
 * no location for (V8's builtins).
 */
export function functionLocation(snapshot: AnalyzedSnapshot, ordinal: number): FunctionLocation | null {
  const { graph } = snapshot;
  const closure = closureOf(snapshot, ordinal);
  if (closure < 0) return null;
  const row = locationRow(graph, closure);
  if (row < 0) return null;
  const { locations } = graph;
  const { locationFieldCount, locationLineOffset, locationColumnOffset } = graph.layout;
  const place: FunctionLocation = {
    name: graph.nodeName(closure) || '(anonymous)',
    script: scriptName(graph, closure),
    line: locations[row * locationFieldCount + locationLineOffset] + 1,
    column: locations[row * locationFieldCount + locationColumnOffset] + 1,
  };
  // The original source's position wins where the script has a source map (the generated one is kept).
  const mapper = sourceMapperOf(graph);
  return mapper ? mapper.mapLocation(place) : place;
}

export type { FunctionLocation };
// The first version of this file exported it; it lives with the other formatters now.
export { shortScriptName } from '../../shared/format.ts';

/**
 * A function as a person reads it: `revalidateUpload() crawler.mjs:88`, `(anonymous)() crawler.mjs:12`,
 * `push()` for a builtin with no location. For a `system / Context`, its closure's. '' for other nodes.
 */
export function describeClosure(snapshot: AnalyzedSnapshot, ordinal: number): string {
  const closure = closureOf(snapshot, ordinal);
  if (closure < 0) return '';
  return formatFunction(functionLocation(snapshot, closure) ?? { name: snapshot.graph.nodeName(closure) || '(anonymous)', script: null, line: 0, column: 0 });
}
