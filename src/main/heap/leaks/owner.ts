/**
 * Naming a growing container by the edge that holds it, as a person would write it: `Scheduler.queue` for
 * the array in a Scheduler's `queue` property, `Server._events.request` for a listener array (anonymous
 * holders such as `_events`, `{ __proto__: null }` objects and plain `Object`s are looked through, up to
 * three of them, to the first object with a class of its own), and `cache (scope of handler())` for a
 * variable a closure captured.
 *
 * Complexity: O(retainers) per step, a few steps.
 */
import type { AnalyzedSnapshot } from '../analysis.ts';
import { primaryRetainer } from '../groupings.ts';
import { describeClosure } from '../locations.ts';

/** The leaking edge of a suspect: the property of the owner (a class instance, a scope) that holds the container. */
export interface LeakingEdge {
  ownerOrdinal: number;
  ownerClassName: string;
  edgeName: string;
}

/** At most this many anonymous holders are looked through. */
const MAX_ANONYMOUS_HOLDERS = 3;

/** A class name that says nothing of its own: plain objects, shapes `{a, b}` and arrays. */
export function isAnonymous(className: string): boolean {
  return className === 'Object' || className === 'Array' || className === 'Map' || className === 'Set' || className.startsWith('{');
}

/** The Map or Set whose backing table `ordinal` is (held by its internal `table` edge), or -1. */
function collectionOfTable(snapshot: AnalyzedSnapshot, ordinal: number): number {
  const { graph } = snapshot;
  if (graph.nodeType(ordinal) !== graph.layout.nodeType.array) return -1;
  for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
    const edge = graph.retainingEdges[slot];
    if (graph.edgeType(edge) === graph.layout.edgeType.internal && graph.edgeName(edge) === 'table') return graph.retainingNodeOrdinals[slot];
  }
  return -1;
}

/** The next holder up: the retainer and the edge's label, a Map's table standing for its Map (`[…]`, an entry of it). */
function holderOf(snapshot: AnalyzedSnapshot, ordinal: number): { holder: number; label: string } | null {
  const held = primaryRetainer(snapshot, ordinal);
  if (!held || held[0] === snapshot.graph.rootNodeOrdinal) return null;
  const collection = collectionOfTable(snapshot, held[0]);
  if (collection >= 0) return { holder: collection, label: '[…]' };
  return { holder: held[0], label: edgeLabel(snapshot, held[1]) };
}

/** The edge as a name part: a property or variable name, `[3]` for an element. */
function edgeLabel(snapshot: AnalyzedSnapshot, edgeIndex: number): string {
  const { graph } = snapshot;
  const name = graph.edgeName(edgeIndex);
  return graph.edgeType(edgeIndex) === graph.layout.edgeType.element ? `[${name}]` : name;
}

function join(parts: string[]): string {
  return parts.reduce((out, part) => (out === '' ? part : part.startsWith('[') ? `${out}${part}` : `${out}.${part}`), '');
}

/** Names the edge that holds `container`: its owner (ordinal and class) and the property path from it. */
export function leakingEdgeOf(snapshot: AnalyzedSnapshot, container: number): LeakingEdge {
  const { graph, classes } = snapshot;
  const className = (o: number): string => classes.names[classes.nodeClass[o]];
  const held = holderOf(snapshot, container);
  if (!held) return { ownerOrdinal: container, ownerClassName: className(container), edgeName: '' };
  let owner = held.holder;
  const parts = [held.label];
  for (let k = 0; k < MAX_ANONYMOUS_HOLDERS && isAnonymous(className(owner)); k++) {
    const next = holderOf(snapshot, owner);
    if (!next) break;
    parts.unshift(next.label);
    owner = next.holder;
  }
  const closure = graph.nodeName(owner) === 'system / Context' ? describeClosure(snapshot, owner) : '';
  return { ownerOrdinal: owner, ownerClassName: closure ? `scope of ${closure}` : className(owner), edgeName: join(parts) };
}

/** The leaking edge as one name: `Scheduler.queue`, or `cache (scope of handler() app.js:3)`. */
export function formatLeakingEdge(edge: { ownerClassName: string; edgeName: string }): string {
  if (edge.edgeName === '') return edge.ownerClassName;
  if (edge.ownerClassName.startsWith('scope of ')) return `${edge.edgeName} (${edge.ownerClassName})`;
  return join([edge.ownerClassName, edge.edgeName]);
}
