/**
 * Rule: a linked list that grows (BLeak's leak roots, for the containers that are no single object): a
 * chain of objects of one kind, each holding the next through the same edge, hung off an object of another
 * kind. No object's edge count grows, only the chain's length:
 * - Node's timers: a `TimersList` is the sentinel of a ring of the `Timeout`s of one duration
 *   (TimersList ←._idlePrev— Timeout ←._idlePrev— …); every interval never cleared adds one.
 * - A promise that never settles: V8 keeps the reactions awaiting it (each suspended `await`) in a list of
 *   `PromiseReaction`s from the promise's internal `reactions_or_result`, linked through their `next` field.
 *
 * The container is the chain's head holder: the object of another kind that is the first link's primary
 * retainer (its own shortest, visible holder), so a chain has one head however many objects point into it.
 * Its entries are the links, in chain order, each held by the one before. When the head holder is an object
 * of a class of its own and holds the chain in a property, the leaking edge is that property: a list's
 * sentinel's link edge (`TimersList._idlePrev`), `JobBoard.newest`; a scope that holds it in a variable
 * names the variable (`newest (scope of audit() app.mjs:17)`). Otherwise (a V8 internal edge, a plain
 * object) the head holder is named like any container, by what holds it (`Database.ready` for the promise).
 *
 * Links are followed between objects of the same V8 type and name (a `Timeout` to a `Timeout`) through
 * property, internal or hidden edges, never `map`, `__proto__`, `constructor` or `prototype`; the members
 * are JavaScript objects and V8's `PromiseReaction`s, not V8's other plumbing (contexts, maps, code).
 *
 * Complexity: one O(nodes + edges) pass per snapshot marks the objects with an outgoing link and the heads
 * (cached per graph); counting a head's chain is O(length), capped at {@link MAX_CHAIN}.
 */
import type { HeapGraph } from '../graph.ts';
import { primaryRetainer } from '../groupings.ts';
import { describeClosure } from '../locations.ts';
import { isAnonymous, type LeakingEdge } from './owner.ts';
import type { AccumulationRule, SnapshotView } from './rule.ts';

/** Links followed at most from one head: a chain this long is a suspect whatever comes after. */
const MAX_CHAIN = 1_000_000;

/** Edge names that are never list links: shapes, prototypes, constructors. */
const NOT_LINKS = new Set(['map', '__proto__', 'constructor', 'prototype']);

/** V8 names a PromiseReaction's fields by index (hidden edges); index 1 is its `next`. */
const PROMISE_REACTION = 'system / PromiseReaction';
const HIDDEN_NAMES: Record<string, Record<number, string>> = { [PROMISE_REACTION]: { 1: 'next' } };

/** One snapshot's linked structure: who has a link out, and which objects head a chain. */
interface ChainIndex {
  /** 1 for an object with an edge to another object of its own kind (a possible link). */
  linked: Uint8Array;
  /** 1 for a chain's head holder. */
  head: Uint8Array;
  /** Per-walk marks, so a ring is walked once round. */
  stamp: Int32Array;
  nextMark: number;
}

/** A chain from a head: the head's edge to the first link, and the link edge's type and raw name. */
interface Chain {
  firstEdge: number;
  linkType: number;
  linkName: number;
  length: number;
  /** The first link's id (the oldest object, for a list appended at the far end). */
  firstId: number;
}

const indexes = new WeakMap<HeapGraph, ChainIndex>();

/** Marks the nodes that may be links of a chain: JavaScript objects, and PromiseReactions. */
function markMembers(view: SnapshotView): Uint8Array {
  const { graph } = view;
  const { nodes, nodeCount } = graph;
  const { nodeFieldCount, nodeTypeOffset, nodeNameOffset } = graph.layout;
  const { object, hidden } = graph.layout.nodeType;
  const members = new Uint8Array(nodeCount);
  // Each name is looked at once: V8's plumbing objects are named `system / …`.
  const plumbing = new Map<number, boolean>();
  for (let o = 0; o < nodeCount; o++) {
    const type = nodes[o * nodeFieldCount + nodeTypeOffset];
    if (type === object) {
      const name = nodes[o * nodeFieldCount + nodeNameOffset];
      let isPlumbing = plumbing.get(name);
      if (isPlumbing === undefined) {
        isPlumbing = graph.strings.get(name).startsWith('system / ');
        plumbing.set(name, isPlumbing);
      }
      if (!isPlumbing) members[o] = 1;
    } else if (type === hidden && view.named(o, PROMISE_REACTION)) members[o] = 1;
  }
  return members;
}

function sameKind(graph: HeapGraph, a: number, b: number): boolean {
  const { nodes } = graph;
  const { nodeFieldCount, nodeTypeOffset, nodeNameOffset } = graph.layout;
  return nodes[a * nodeFieldCount + nodeTypeOffset] === nodes[b * nodeFieldCount + nodeTypeOffset] && nodes[a * nodeFieldCount + nodeNameOffset] === nodes[b * nodeFieldCount + nodeNameOffset];
}

/** Whether the edge is of a type and name that may link a chain. */
function mayLink(graph: HeapGraph, edgeIndex: number): boolean {
  const type = graph.edgeType(edgeIndex);
  const { property, internal, hidden } = graph.layout.edgeType;
  if (type === hidden) return true;
  return (type === property || type === internal) && !NOT_LINKS.has(graph.edgeName(edgeIndex));
}

function buildIndex(view: SnapshotView): ChainIndex {
  const { graph, snapshot } = view;
  const { nodeCount } = graph;
  const linked = new Uint8Array(nodeCount);
  const head = new Uint8Array(nodeCount);
  const members = markMembers(view);
  for (let o = 0; o < nodeCount; o++) {
    if (!members[o]) continue;
    for (let e = graph.firstLinks[o], end = graph.firstLinks[o + 1]; e < end; e++) {
      const target = graph.edgeTargetOrdinal(e);
      if (target !== o && members[target] && sameKind(graph, o, target) && mayLink(graph, e)) {
        linked[o] = 1;
        break;
      }
    }
  }
  // A head holds the first link: it is the link's primary retainer and of another kind. Arrays, Maps and
  // Sets are containers of their own rules.
  for (let o = 0; o < nodeCount; o++) {
    if (!linked[o]) continue;
    const held = primaryRetainer(snapshot, o);
    if (!held) continue;
    const [holder] = held;
    if (holder === graph.rootNodeOrdinal || sameKind(graph, holder, o) || view.isArray(holder) || view.isMapOrSet(holder)) continue;
    const type = graph.nodeType(holder);
    if (type !== graph.layout.nodeType.object && type !== graph.layout.nodeType.hidden) continue;
    head[holder] = 1;
  }
  return { linked, head, stamp: new Int32Array(nodeCount).fill(-1), nextMark: 0 };
}

function indexOf(view: SnapshotView): ChainIndex {
  let index = indexes.get(view.graph);
  if (!index) {
    index = buildIndex(view);
    indexes.set(view.graph, index);
  }
  return index;
}

/** Whether `first` is held through a link edge of this type and name by an object of its own kind (so it is mid-chain). */
function heldByLink(graph: HeapGraph, first: number, linkType: number, linkName: number): boolean {
  for (let slot = graph.firstRetainerIndex[first], end = graph.firstRetainerIndex[first + 1]; slot < end; slot++) {
    const edge = graph.retainingEdges[slot];
    const retainer = graph.retainingNodeOrdinals[slot];
    if (graph.edgeType(edge) === linkType && graph.edgeNames[edge] === linkName && retainer !== first && sameKind(graph, retainer, first)) return true;
  }
  return false;
}

/**
 * Walks the chain from `first` through links of one type and name; calls `each` for every link after the
 * first. Stops at an object of another kind, at the head, or where the chain comes back on itself.
 */
function walkChain(view: SnapshotView, index: ChainIndex, headOrdinal: number, first: number, linkType: number, linkName: number, each?: (holder: number, edgeIndex: number, entry: number) => void): number {
  const { graph } = view;
  const mark = index.nextMark++;
  const { stamp } = index;
  stamp[headOrdinal] = mark;
  stamp[first] = mark;
  let length = 1;
  let at = first;
  while (length < MAX_CHAIN) {
    let next = -1;
    let via = -1;
    for (let e = graph.firstLinks[at], end = graph.firstLinks[at + 1]; e < end; e++) {
      if (graph.edgeType(e) !== linkType || graph.edgeNames[e] !== linkName) continue;
      const target = graph.edgeTargetOrdinal(e);
      if (stamp[target] !== mark && sameKind(graph, target, first)) {
        next = target;
        via = e;
      }
      break;
    }
    if (next < 0) break;
    stamp[next] = mark;
    each?.(at, via, next);
    length++;
    at = next;
  }
  return length;
}

/** The head's longest chain (the one reaching the oldest first link on a tie: a ring's two directions). */
function chainOf(view: SnapshotView, headOrdinal: number): Chain | null {
  const index = indexOf(view);
  if (!index.head[headOrdinal]) return null;
  const { graph } = view;
  let best: Chain | null = null;
  for (let e = graph.firstLinks[headOrdinal], end = graph.firstLinks[headOrdinal + 1]; e < end; e++) {
    if (graph.edgeType(e) === graph.layout.edgeType.weak) continue;
    const first = graph.edgeTargetOrdinal(e);
    if (!index.linked[first] || sameKind(graph, first, headOrdinal)) continue;
    const held = primaryRetainer(view.snapshot, first);
    if (!held || held[0] !== headOrdinal) continue;
    // Each edge of the first link that leads to an object of its kind is a possible link edge.
    for (let l = graph.firstLinks[first], lend = graph.firstLinks[first + 1]; l < lend; l++) {
      const target = graph.edgeTargetOrdinal(l);
      if (target === first || !sameKind(graph, target, first) || !mayLink(graph, l)) continue;
      const linkType = graph.edgeType(l);
      const linkName = graph.edgeNames[l];
      if (heldByLink(graph, first, linkType, linkName)) continue;
      const length = walkChain(view, index, headOrdinal, first, linkType, linkName);
      const firstId = graph.nodeId(first);
      if (!best || length > best.length || (length === best.length && firstId < best.firstId)) best = { firstEdge: e, linkType, linkName, length, firstId };
    }
  }
  return best;
}

/** The link edge's name for people: a property's name, or V8's field name for a hidden edge it knows. */
function linkLabel(view: SnapshotView, first: number, chain: Chain): string {
  const { graph } = view;
  if (chain.linkType === graph.layout.edgeType.hidden) return HIDDEN_NAMES[graph.nodeName(first)]?.[chain.linkName] ?? String(chain.linkName);
  return graph.strings.get(chain.linkName);
}

export const linkedChain: AccumulationRule = {
  name: 'linked-chain',
  detects: 'A linked list that keeps getting longer: objects of one kind each holding the next through the same edge (timers never cleared, the reactions of a promise that never settles).',
  indirect: true,
  yields: true,
  matches: (view, ordinal) => indexOf(view).head[ordinal] === 1,
  entries(view, ordinal, each) {
    const chain = chainOf(view, ordinal);
    if (!chain) return 0;
    const { graph } = view;
    const first = graph.edgeTargetOrdinal(chain.firstEdge);
    if (!each) return chain.length;
    each(ordinal, chain.firstEdge, first);
    return walkChain(view, indexOf(view), ordinal, first, chain.linkType, chain.linkName, each);
  },
  link(view, ordinal) {
    const chain = chainOf(view, ordinal);
    if (!chain) return null;
    const { graph } = view;
    const first = graph.edgeTargetOrdinal(chain.firstEdge);
    const linkEdge = linkLabel(view, first, chain);
    // An object of a class of its own that holds the chain in a property (a list's sentinel, `TimersList._idlePrev`;
    // `JobBoard.newest`) owns it; a V8 internal (a promise's reactions) or a plain object is named by its holder.
    const className = view.snapshot.classes.names[view.snapshot.classes.nodeClass[ordinal]];
    const type = graph.edgeType(chain.firstEdge);
    const edgeName = graph.edgeName(chain.firstEdge);
    // A variable of a closure or module scope (`let newest`): named as owner.ts names a scope's variable.
    if (type === graph.layout.edgeType.context) {
      const closure = describeClosure(view.snapshot, ordinal);
      return { linkEdge, owner: { ownerOrdinal: ordinal, ownerClassName: closure ? `scope of ${closure}` : className, edgeName } };
    }
    const owner: LeakingEdge | null = type === graph.layout.edgeType.property && !isAnonymous(className) ? { ownerOrdinal: ordinal, ownerClassName: className, edgeName } : null;
    return { linkEdge, owner };
  },
};
