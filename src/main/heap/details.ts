/**
 * One object's details for the inspector pane: class, id, sizes, distance, and its outgoing edges
 * (properties), paged, with the values of string and number targets. O(page size + edges of the node).
 */
import type { ObjectDetails, ObjectProperty } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import { consStringValue, describeNode, requireOrdinal } from './retainers.ts';
import { functionLocation } from './locations.ts';

const PREVIEW_LENGTH = 200;

/** The value of a primitive-like node as text (strings, numbers, V8's oddballs), or null when unknown. */
export function primitiveValue(snapshot: AnalyzedSnapshot, ordinal: number, maxLength = PREVIEW_LENGTH): string | null {
  const { graph } = snapshot;
  const t = graph.layout.nodeType;
  const type = graph.nodeType(ordinal);
  let value: string | null = null;
  // A sliced string's text is not in the snapshot (V8 records its parent but not the offset).
  if (type === t.string) value = graph.nodeName(ordinal);
  else if (type === t.consString) value = consStringValue(snapshot, ordinal, maxLength + 1);
  else if (type === t.number || type === t.bigint) value = graph.nodeName(ordinal);
  else if (type === t.hidden || type === t.native) {
    const name = graph.nodeName(ordinal);
    if (name === 'undefined' || name === 'null' || name === 'true' || name === 'false') value = name;
  }
  if (value !== null && value.length > maxLength) value = `${value.slice(0, maxLength)}…`;
  return value;
}

/** Options for {@link objectDetails}. */
export interface DetailsOptions {
  /** First property to return (default 0). */
  offset?: number;
  /** How many properties (default 100). */
  limit?: number;
}

/** The details of the object with `nodeId`, with one page of its properties. */
export function objectDetails(snapshot: AnalyzedSnapshot, nodeId: number, options: DetailsOptions = {}): ObjectDetails {
  const ordinal = requireOrdinal(snapshot, nodeId);
  const { graph, classes, retainedSizes } = snapshot;
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.max(0, options.limit ?? 100);
  const first = graph.firstLinks[ordinal];
  const end = graph.firstLinks[ordinal + 1];
  const properties: ObjectProperty[] = [];
  for (let e = first + offset; e < end && properties.length < limit; e++) {
    const target = graph.edgeTargetOrdinal(e);
    const closure = functionLocation(snapshot, target);
    properties.push({
      edgeName: graph.edgeName(e),
      edgeType: graph.edgeTypeName(e),
      nodeId: graph.nodeId(target),
      className: classes.names[classes.nodeClass[target]],
      type: graph.nodeTypeName(target),
      shallowSize: graph.nodeSelfSize(target),
      retainedSize: retainedSizes[target],
      value: primitiveValue(snapshot, target),
      ...(closure ? { closure } : {}),
    });
  }
  return {
    ...describeNode(snapshot, ordinal),
    propertyCount: end - first,
    properties,
    value: primitiveValue(snapshot, ordinal),
  };
}
