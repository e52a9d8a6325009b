/**
 * guppy's groupings for a set of objects (all instances of a class, or all strings):
 * - byvia: group the objects by the edge that retains them on their shortest path and by the retainer's
 *   class, with counts and shallow sizes. This is how the seeds found `['sql']` holding 98% of the strings.
 * - reference pattern (guppy's `rp`): the retainer tree of the set, aggregated by class, level by level.
 *
 * An object's "primary retainer" is its closest retainer through a property, element or context variable
 * (see {@link primaryRetainer}). byvia credits a string that is part of another string (a concatenated
 * string's `first`/`second`, a sliced string's `parent`, a thin string's `actual`) to the retainer of the
 * string it is part of, up to the first retainer that is not a string's internals: a query log whose SQL is
 * built with a template literal is then credited to `.sql`, not to `‹second›` of `(concatenated string)`.
 * Complexity: O(objects × retainers per object) per level; byvia visits each string of a concatenation
 * tree once (its credit is remembered), so it stays linear in the set and its strings' parts.
 */
import type { ByViaRow, ReferencePatternRow } from '../../shared/model.ts';
import { formatVia } from '../../shared/format.ts';
import { NO_DISTANCE, type AnalyzedSnapshot } from './analysis.ts';
import { classIdsNamed, instancesOf } from './summary.ts';

/** Edges are formatted the one way every output shows them (see formatVia in shared/format.ts). */
export { formatVia };

/** The string classes DevTools names: `(string)`, `(concatenated string)`, `(sliced string)`. */
export const STRING_CLASSES = ['(string)', '(concatenated string)', '(sliced string)'];

/** A set of objects, named for display. */
export interface ObjectSet {
  /** Node ordinals. */
  ordinals: number[];
  label: string;
}

/** The instances of a class (by name or key), or all strings for the special name `(strings)`. */
export function objectSet(snapshot: AnalyzedSnapshot, classNameOrKey: string): ObjectSet {
  const names = classNameOrKey === '(strings)' ? STRING_CLASSES : [classNameOrKey];
  const ids = new Set<number>();
  for (const name of names) for (const id of classIdsNamed(snapshot.classes, name)) ids.add(id);
  return { ordinals: instancesOf(snapshot, ids), label: classNameOrKey };
}

/**
 * The retainer that names an object best: the closest retainer through a user-visible edge (property,
 * element, context variable), or, when there is none, the closest through an internal one. V8 internals such
 * as a sliced string's `parent` would otherwise hide the property a person wrote (`response.body`).
 * Returns [retainer ordinal, edge index], or null for objects that nothing holds.
 */
export function primaryRetainer(snapshot: AnalyzedSnapshot, ordinal: number): [number, number] | null {
  const { graph, distances } = snapshot;
  const { weak, property, element, context, shortcut } = graph.layout.edgeType;
  let best = -1;
  let bestEdge = -1;
  let bestVisible = false;
  for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
    const edgeIndex = graph.retainingEdges[slot];
    const type = graph.edgeType(edgeIndex);
    if (type === weak) continue;
    const retainer = graph.retainingNodeOrdinals[slot];
    if (retainer === ordinal || distances[retainer] === NO_DISTANCE) continue;
    const visible = type === property || type === element || type === context || type === shortcut;
    if (best < 0 || (visible && !bestVisible) || (visible === bestVisible && distances[retainer] < distances[best])) {
      best = retainer;
      bestEdge = edgeIndex;
      bestVisible = visible;
    }
  }
  return best < 0 ? null : [best, bestEdge];
}

/** The internal edges by which a string holds another string's characters. */
const STRING_PART_EDGES = new Set(['first', 'second', 'parent', 'actual']);

/**
 * A test "does edge `edgeIndex` of node `retainer` hold a part of a string?": an internal edge named as in
 * {@link STRING_PART_EDGES} from a string node. Edge names are decoded once per distinct name.
 */
function stringPartTest(snapshot: AnalyzedSnapshot): (retainer: number, edgeIndex: number) => boolean {
  const { graph } = snapshot;
  const t = graph.layout.nodeType;
  const { internal } = graph.layout.edgeType;
  const known = new Map<number, boolean>();
  return (retainer, edgeIndex) => {
    const type = graph.nodeType(retainer);
    if (type !== t.consString && type !== t.slicedString && type !== t.string) return false;
    if (graph.edgeType(edgeIndex) !== internal) return false;
    const nameIndex = graph.edgeNames[edgeIndex];
    let answer = known.get(nameIndex);
    if (answer === undefined) {
      answer = STRING_PART_EDGES.has(graph.edgeName(edgeIndex));
      known.set(nameIndex, answer);
    }
    return answer;
  };
}

/**
 * The retainer byvia credits an object to: its primary retainer, except that a string held as another
 * string's part is credited as that string is, recursively. `memo` remembers the credit of every string
 * met on the way, so each concatenation tree is walked once; a string met again while its credit is being
 * found (a cycle, which V8 never writes) counts as held by nothing.
 */
function creditedRetainer(
  snapshot: AnalyzedSnapshot,
  ordinal: number,
  holdsPart: (retainer: number, edgeIndex: number) => boolean,
  memo: Map<number, [number, number] | null>,
): [number, number] | null {
  const chain: number[] = [];
  let current = ordinal;
  let credit: [number, number] | null;
  for (;;) {
    const known = memo.get(current);
    if (known !== undefined) {
      credit = known;
      break;
    }
    const primary = primaryRetainer(snapshot, current);
    if (!primary || !holdsPart(primary[0], primary[1])) {
      credit = primary;
      break;
    }
    memo.set(current, null);
    chain.push(current);
    current = primary[0];
  }
  // Only strings that are parts are remembered: they are the ones another string of the set may lead to.
  for (const part of chain) memo.set(part, credit);
  return credit;
}

/** byvia: the set grouped by retaining edge and retainer class, largest shallow size first. */
export function byVia(snapshot: AnalyzedSnapshot, set: ObjectSet, limit = 100): ByViaRow[] {
  const { graph, classes } = snapshot;
  const groups = new Map<string, ByViaRow>();
  const holdsPart = stringPartTest(snapshot);
  const memo = new Map<number, [number, number] | null>();
  let total = 0;
  for (const ordinal of set.ordinals) {
    const size = graph.nodeSelfSize(ordinal);
    total += size;
    const primary = creditedRetainer(snapshot, ordinal, holdsPart, memo);
    const via = primary ? formatVia(graph.edgeTypeName(primary[1]), graph.edgeName(primary[1])) : '(root)';
    const retainerClass = primary ? classes.names[classes.nodeClass[primary[0]]] : '';
    const key = `${via}\u0000${retainerClass}`;
    let row = groups.get(key);
    if (!row) {
      row = { via, retainerClass, count: 0, shallowSize: 0, share: 0 };
      groups.set(key, row);
    }
    row.count++;
    row.shallowSize += size;
  }
  const rows = [...groups.values()];
  for (const row of rows) row.share = total > 0 ? row.shallowSize / total : 0;
  rows.sort((a, b) => b.shallowSize - a.shallowSize || b.count - a.count);
  return rows.slice(0, limit);
}

/**
 * The reference pattern: starting from the set, group the primary retainers of each level by class and
 * follow the largest groups (up to `breadth` per level) to `depth` levels.
 */
export function referencePattern(snapshot: AnalyzedSnapshot, set: ObjectSet, depth = 6, breadth = 3): ReferencePatternRow[] {
  const { graph, classes } = snapshot;
  const rows: ReferencePatternRow[] = [];
  const size = (ordinals: number[]): number => ordinals.reduce((sum, o) => sum + graph.nodeSelfSize(o), 0);
  rows.push({ depth: 0, className: set.label, via: '', count: set.ordinals.length, shallowSize: size(set.ordinals) });
  // As in byvia, a string's parts are seen where the whole string is held.
  const holdsPart = stringPartTest(snapshot);
  const memo = new Map<number, [number, number] | null>();
  const expand = (ordinals: number[], level: number): void => {
    if (level > depth) return;
    const groups = new Map<string, { className: string; via: string; members: Set<number> }>();
    for (const ordinal of ordinals) {
      const primary = creditedRetainer(snapshot, ordinal, holdsPart, memo);
      if (!primary) continue;
      const className = classes.names[classes.nodeClass[primary[0]]];
      const via = formatVia(graph.edgeTypeName(primary[1]), graph.edgeName(primary[1]));
      const key = `${className}\u0000${via}`;
      let group = groups.get(key);
      if (!group) {
        group = { className, via, members: new Set() };
        groups.set(key, group);
      }
      group.members.add(primary[0]);
    }
    const sorted = [...groups.values()].sort((a, b) => b.members.size - a.members.size).slice(0, breadth);
    for (const group of sorted) {
      const members = [...group.members];
      rows.push({ depth: level, className: group.className, via: group.via, count: members.length, shallowSize: size(members) });
      expand(members, level + 1);
    }
  };
  expand(set.ordinals, 1);
  return rows;
}
