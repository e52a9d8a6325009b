/**
 * Where an object was allocated: its allocation stack, from the snapshot's `trace_tree` and
 * `trace_function_infos`, which V8 writes when allocation tracking was on while the object was created
 * (`HeapProfiler.startTrackingHeapObjects({trackAllocations: true})`, DevTools' "Allocation instrumentation
 * on timeline"). Each node's `trace_node_id` names a node of the trace tree; the path from that node up to
 * the tree's root is the stack, innermost frame first.
 *
 * The tree is flattened once per snapshot into parent and function arrays indexed by trace node id: O(T) for
 * T trace nodes, then O(depth) per stack. V8 writes line and column 1-based (0 when unknown).
 */
import { shortScriptName } from '../../shared/format.ts';
import type { StackFrame } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import type { HeapGraph } from './graph.ts';
import { sourceMapperOf } from './sourcemaps.ts';

/** A frame of an allocation stack (the shared model's {@link StackFrame}). */
export type AllocationFrame = StackFrame;

interface TraceIndex {
  /** parents[traceNodeId]: the parent's id (0 at the root or for unknown ids). */
  parents: Uint32Array;
  /** functions[traceNodeId]: the index of its function info, plus one (0: none). */
  functions: Uint32Array;
}

const indexes = new WeakMap<HeapGraph, TraceIndex | null>();

function buildIndex(graph: HeapGraph): TraceIndex | null {
  const fields = graph.header.meta.trace_node_fields;
  if (!fields || graph.layout.nodeTraceNodeIdOffset < 0 || graph.traceTree.length === 0) return null;
  const idOffset = fields.indexOf('id');
  const functionOffset = fields.indexOf('function_info_index');
  const childrenOffset = fields.indexOf('children');
  const width = fields.length;
  if (idOffset < 0 || functionOffset < 0 || childrenOffset < 0) return null;
  // First pass: the largest id, so that the arrays are allocated once.
  let maxId = 0;
  const pending: unknown[][] = [graph.traceTree];
  while (pending.length > 0) {
    const level = pending.pop() as unknown[];
    for (let at = 0; at + width <= level.length; at += width) {
      const id = level[at + idOffset];
      if (typeof id === 'number' && id > maxId) maxId = id;
      const children = level[at + childrenOffset];
      if (Array.isArray(children)) pending.push(children);
    }
  }
  const parents = new Uint32Array(maxId + 1);
  const functions = new Uint32Array(maxId + 1);
  const work: Array<{ level: unknown[]; parent: number }> = [{ level: graph.traceTree, parent: 0 }];
  while (work.length > 0) {
    const { level, parent } = work.pop() as (typeof work)[number];
    for (let at = 0; at + width <= level.length; at += width) {
      const id = level[at + idOffset];
      const fn = level[at + functionOffset];
      if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0 || id > maxId) continue;
      parents[id] = parent;
      functions[id] = typeof fn === 'number' && Number.isInteger(fn) && fn >= 0 ? fn + 1 : 0;
      const children = level[at + childrenOffset];
      if (Array.isArray(children) && children.length > 0) work.push({ level: children, parent: id });
    }
  }
  return { parents, functions };
}

function traceIndex(graph: HeapGraph): TraceIndex | null {
  if (!indexes.has(graph)) indexes.set(graph, buildIndex(graph));
  return indexes.get(graph) ?? null;
}

/** Whether the snapshot was taken with allocation tracking on (it has a trace tree to read stacks from). */
export function hasAllocationStacks(snapshot: AnalyzedSnapshot): boolean {
  return traceIndex(snapshot.graph) !== null;
}

/**
 * The allocation stack of the node at `ordinal`, innermost frame first; null when the snapshot has no trace
 * tree, or the object was allocated while tracking was off (its trace node id is 0).
 */
export function allocationStack(snapshot: AnalyzedSnapshot, ordinal: number, maxFrames = 64): AllocationFrame[] | null {
  const { graph } = snapshot;
  const index = traceIndex(graph);
  if (!index) return null;
  const { layout, nodes, strings, traceFunctionInfos } = graph;
  let traceId = nodes[ordinal * layout.nodeFieldCount + layout.nodeTraceNodeIdOffset];
  if (traceId === 0 || traceId >= index.parents.length) return null;
  const infoFields = graph.header.meta.trace_function_info_fields ?? [];
  const width = infoFields.length;
  const nameAt = infoFields.indexOf('name');
  const scriptAt = infoFields.indexOf('script_name');
  const lineAt = infoFields.indexOf('line');
  const columnAt = infoFields.indexOf('column');
  const stringAt = (value: number) => (Number.isInteger(value) && value >= 0 && value < strings.length ? strings.get(value) : '');
  const frames: AllocationFrame[] = [];
  const mapper = sourceMapperOf(graph);
  // Ids are checked against the index and the walk is capped: a damaged tree cannot loop it.
  while (traceId !== 0 && frames.length < maxFrames) {
    const fn = index.functions[traceId];
    if (fn > 0 && width > 0 && (fn - 1) * width + width <= traceFunctionInfos.length) {
      const base = (fn - 1) * width;
      const functionName = nameAt >= 0 ? stringAt(traceFunctionInfos[base + nameAt]) : '';
      // V8's own root frame is "(root)": not a frame of the program.
      if (functionName !== '(root)') {
        const frame: AllocationFrame = {
          functionName: functionName || '(anonymous)',
          url: scriptAt >= 0 ? stringAt(traceFunctionInfos[base + scriptAt]) : '',
          line: lineAt >= 0 ? Math.max(0, traceFunctionInfos[base + lineAt]) : 0,
          column: columnAt >= 0 ? Math.max(0, traceFunctionInfos[base + columnAt]) : 0,
        };
        // The original source's position wins where the script has a source map.
        frames.push(mapper ? mapper.mapFrame(frame) : frame);
      }
    }
    traceId = index.parents[traceId];
  }
  return frames.length > 0 ? frames : null;
}

/** `createInvoice (app.mjs:18)`: a frame as one line of text. */
export function formatAllocationFrame(frame: AllocationFrame): string {
  const file = shortScriptName(frame.url);
  return file ? `${frame.functionName} (${file}:${frame.line})` : frame.functionName;
}
