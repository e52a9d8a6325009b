/**
 * The snapshot header (`snapshot.meta` and counts), validated at the trust boundary, and the field layout
 * derived from it. Offsets are always read from the meta, never hard-coded: V8 writes 6 node fields
 * (with `detachedness`) or 7 (with `trace_node_id` too) depending on version and options.
 *
 * The checks are written out by hand rather than with zod: this module is on the start-up path of every
 * `analyze`, and loading zod cost more than parsing a small snapshot's header ever will.
 */
import { LeakExplorerError } from '../../shared/errors.ts';

/** The validated `snapshot.meta`: field names and type names of nodes and edges. */
export interface SnapshotMeta {
  node_fields: string[];
  node_types: Array<string[] | string>;
  edge_fields: string[];
  edge_types: Array<string[] | string>;
  trace_function_info_fields?: string[];
  trace_node_fields?: string[];
  sample_fields?: string[];
  location_fields?: string[];
}

/** The validated `snapshot` object of a heap snapshot (only the keys below are kept). */
export interface SnapshotHeader {
  meta: SnapshotMeta;
  node_count: number;
  edge_count: number;
  trace_function_count?: number;
  root_index?: number;
  extra_native_bytes?: number;
}

/** Thrown by the checks below with where (`snapshot.meta.node_fields`) and what is wrong. */
class HeaderIssue {
  readonly where: string;
  readonly what: string;
  constructor(where: string, what: string) {
    this.where = where;
    this.what = what;
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HeaderIssue(where, `expected an object, received ${describe(value)}`);
  return value as Record<string, unknown>;
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new HeaderIssue(where, `expected an array, received ${describe(value)}`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw new HeaderIssue(`${where}.${i}`, `expected a string, received ${describe(item)}`);
  });
  return value as string[];
}

/** A list whose items are each a list of type names or one string (V8 writes "string" for free-form fields). */
function typeLists(value: unknown, where: string): Array<string[] | string> {
  if (!Array.isArray(value)) throw new HeaderIssue(where, `expected an array, received ${describe(value)}`);
  return value.map((item, i) => (typeof item === 'string' ? item : stringList(item, `${where}.${i}`)));
}

/** A count: a whole number from 0 to 2^40. */
function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 40) {
    throw new HeaderIssue(where, `expected a whole number from 0 to 2^40, received ${typeof value === 'number' ? value : describe(value)}`);
  }
  return value;
}

function checkHeader(value: unknown): SnapshotHeader {
  const snapshot = record(value, 'snapshot');
  const metaValue = record(snapshot.meta, 'snapshot.meta');
  const meta: SnapshotMeta = {
    node_fields: stringList(metaValue.node_fields, 'snapshot.meta.node_fields'),
    node_types: typeLists(metaValue.node_types, 'snapshot.meta.node_types'),
    edge_fields: stringList(metaValue.edge_fields, 'snapshot.meta.edge_fields'),
    edge_types: typeLists(metaValue.edge_types, 'snapshot.meta.edge_types'),
  };
  for (const key of ['trace_function_info_fields', 'trace_node_fields', 'sample_fields', 'location_fields'] as const) {
    if (metaValue[key] !== undefined) meta[key] = stringList(metaValue[key], `snapshot.meta.${key}`);
  }
  const header: SnapshotHeader = {
    meta,
    node_count: count(snapshot.node_count, 'snapshot.node_count'),
    edge_count: count(snapshot.edge_count, 'snapshot.edge_count'),
  };
  if (snapshot.trace_function_count !== undefined) header.trace_function_count = count(snapshot.trace_function_count, 'snapshot.trace_function_count');
  if (snapshot.root_index !== undefined) header.root_index = count(snapshot.root_index, 'snapshot.root_index');
  const extra = snapshot.extra_native_bytes;
  if (extra !== undefined) {
    if (typeof extra !== 'number' || !Number.isFinite(extra) || extra < 0) {
      throw new HeaderIssue('snapshot.extra_native_bytes', `expected a number of bytes, received ${typeof extra === 'number' ? extra : describe(extra)}`);
    }
    header.extra_native_bytes = extra;
  }
  return header;
}

/**
 * Limits of the links array (RawSnapshot.links: target ordinal × 16 + type, in 32 bits, see graph.ts): at
 * most 2^28 nodes (a file of some 50 GB) and 14 edge types (V8 writes 7; the link keeps two values of its
 * 16 for unknown types and for WeakMap entries).
 */
export const MAX_NODE_COUNT = 2 ** 28;
export const MAX_EDGE_TYPES = 14;
/** The link type of an edge whose type the header does not list. */
export const LINK_UNKNOWN_TYPE = 14;
/**
 * The link type of an internal edge whose name is long enough to be a WeakMap entry's (essential.ts): only
 * these have their names looked at by the traversals, which tell every other internal edge by its link.
 */
export const LINK_MAYBE_EPHEMERON = 15;

/** Validates the parsed `snapshot` header, with a message naming the first thing wrong. */
export function parseHeader(value: unknown): SnapshotHeader {
  let header: SnapshotHeader;
  try {
    header = checkHeader(value);
  } catch (error) {
    if (!(error instanceof HeaderIssue)) throw error;
    throw new LeakExplorerError('SNAPSHOT_FORMAT', `This JSON is not a heap snapshot: ${error.where}: ${error.what}.`);
  }
  const { meta } = header;
  for (const field of ['type', 'name', 'id', 'self_size', 'edge_count']) {
    if (!meta.node_fields.includes(field)) {
      throw new LeakExplorerError('SNAPSHOT_FORMAT', `This heap snapshot's nodes have no '${field}' field.`);
    }
  }
  for (const field of ['type', 'name_or_index', 'to_node']) {
    if (!meta.edge_fields.includes(field)) {
      throw new LeakExplorerError('SNAPSHOT_FORMAT', `This heap snapshot's edges have no '${field}' field.`);
    }
  }
  if (!Array.isArray(meta.node_types[meta.node_fields.indexOf('type')])) {
    throw new LeakExplorerError('SNAPSHOT_FORMAT', "This heap snapshot's meta does not list the node types.");
  }
  const edgeTypes = meta.edge_types[meta.edge_fields.indexOf('type')];
  if (!Array.isArray(edgeTypes)) {
    throw new LeakExplorerError('SNAPSHOT_FORMAT', "This heap snapshot's meta does not list the edge types.");
  }
  if (edgeTypes.length > MAX_EDGE_TYPES) {
    throw new LeakExplorerError('SNAPSHOT_FORMAT', `This heap snapshot's meta lists ${edgeTypes.length} edge types; Leak Explorer reads up to ${MAX_EDGE_TYPES} (V8 writes 7).`);
  }
  if (header.node_count > MAX_NODE_COUNT) {
    throw new LeakExplorerError('SNAPSHOT_TOO_LARGE', `This heap snapshot has ${header.node_count} nodes; Leak Explorer reads up to ${MAX_NODE_COUNT}.`);
  }
  return header;
}

/** Field offsets and type enums, resolved once from the meta. Type values are -1 where the meta lacks them. */
export interface Layout {
  nodeFieldCount: number;
  nodeTypeOffset: number;
  nodeNameOffset: number;
  nodeIdOffset: number;
  nodeSelfSizeOffset: number;
  nodeEdgeCountOffset: number;
  /** -1 when absent. */
  nodeTraceNodeIdOffset: number;
  /** -1 when absent. */
  nodeDetachednessOffset: number;
  edgeFieldCount: number;
  edgeTypeOffset: number;
  edgeNameOffset: number;
  edgeToNodeOffset: number;
  nodeTypes: string[];
  edgeTypes: string[];
  nodeType: {
    hidden: number;
    array: number;
    string: number;
    object: number;
    code: number;
    closure: number;
    regexp: number;
    number: number;
    native: number;
    synthetic: number;
    consString: number;
    slicedString: number;
    symbol: number;
    bigint: number;
  };
  edgeType: {
    context: number;
    element: number;
    property: number;
    internal: number;
    hidden: number;
    shortcut: number;
    weak: number;
  };
  locationFieldCount: number;
  locationIndexOffset: number;
  locationScriptIdOffset: number;
  locationLineOffset: number;
  locationColumnOffset: number;
}

/** Resolves the field layout from a validated header. */
export function layoutOf(header: SnapshotHeader): Layout {
  const { meta } = header;
  const nodeTypeOffset = meta.node_fields.indexOf('type');
  const edgeTypeOffset = meta.edge_fields.indexOf('type');
  const nodeTypes = meta.node_types[nodeTypeOffset] as string[];
  const edgeTypes = meta.edge_types[edgeTypeOffset] as string[];
  const nt = (name: string): number => nodeTypes.indexOf(name);
  const et = (name: string): number => edgeTypes.indexOf(name);
  const locationFields = meta.location_fields ?? [];
  return {
    nodeFieldCount: meta.node_fields.length,
    nodeTypeOffset,
    nodeNameOffset: meta.node_fields.indexOf('name'),
    nodeIdOffset: meta.node_fields.indexOf('id'),
    nodeSelfSizeOffset: meta.node_fields.indexOf('self_size'),
    nodeEdgeCountOffset: meta.node_fields.indexOf('edge_count'),
    nodeTraceNodeIdOffset: meta.node_fields.indexOf('trace_node_id'),
    nodeDetachednessOffset: meta.node_fields.indexOf('detachedness'),
    edgeFieldCount: meta.edge_fields.length,
    edgeTypeOffset,
    edgeNameOffset: meta.edge_fields.indexOf('name_or_index'),
    edgeToNodeOffset: meta.edge_fields.indexOf('to_node'),
    nodeTypes,
    edgeTypes,
    nodeType: {
      hidden: nt('hidden'),
      array: nt('array'),
      string: nt('string'),
      object: nt('object'),
      code: nt('code'),
      closure: nt('closure'),
      regexp: nt('regexp'),
      number: nt('number'),
      native: nt('native'),
      synthetic: nt('synthetic'),
      consString: nt('concatenated string'),
      slicedString: nt('sliced string'),
      symbol: nt('symbol'),
      bigint: nt('bigint'),
    },
    edgeType: {
      context: et('context'),
      element: et('element'),
      property: et('property'),
      internal: et('internal'),
      hidden: et('hidden'),
      shortcut: et('shortcut'),
      weak: et('weak'),
    },
    locationFieldCount: locationFields.length,
    locationIndexOffset: locationFields.indexOf('object_index'),
    locationScriptIdOffset: locationFields.indexOf('script_id'),
    locationLineOffset: locationFields.indexOf('line'),
    locationColumnOffset: locationFields.indexOf('column'),
  };
}
