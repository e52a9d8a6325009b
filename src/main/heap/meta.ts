/**
 * The snapshot header (`snapshot.meta` and counts), validated at the trust boundary, and the field layout
 * derived from it. Offsets are always read from the meta, never hard-coded: V8 writes 6 node fields
 * (with `detachedness`) or 7 (with `trace_node_id` too) depending on version and options.
 */
import { z } from 'zod';
import { LeakExplorerError } from '../../shared/errors.ts';

const stringList = z.array(z.string());

const metaSchema = z.object({
  node_fields: stringList,
  node_types: z.array(z.union([stringList, z.string()])),
  edge_fields: stringList,
  edge_types: z.array(z.union([stringList, z.string()])),
  trace_function_info_fields: stringList.optional(),
  trace_node_fields: stringList.optional(),
  sample_fields: stringList.optional(),
  location_fields: stringList.optional(),
});

const count = z.number().int().nonnegative().max(2 ** 40);

const headerSchema = z.object({
  meta: metaSchema,
  node_count: count,
  edge_count: count,
  trace_function_count: count.optional(),
  root_index: count.optional(),
  extra_native_bytes: z.number().nonnegative().optional(),
});

/** The validated `snapshot` object of a heap snapshot. */
export type SnapshotHeader = z.infer<typeof headerSchema>;

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
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? `snapshot.${issue.path.join('.')}` : 'snapshot';
    throw new LeakExplorerError('SNAPSHOT_FORMAT', `This JSON is not a heap snapshot: ${where}: ${issue.message}.`);
  }
  const header = parsed.data;
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
