/**
 * Diffs and series of snapshots of one process, matched by V8 node id (stable within a process).
 *
 * Diff (DevTools' Comparison view, Pympler's SummaryTracker): per class, objects added (in the later
 * snapshot only) and removed (in the earlier only), with sizes. The later snapshot's interface definitions
 * are applied to both, so plain objects fall into the same classes; an object whose class changed counts
 * as removed from one class and added to the other, as in DevTools. Only objects with a shallow size count.
 *
 * Series: per class, the count and size in each snapshot and whether it only grew (objgraph's
 * show_growth); per object of the last snapshot, the first snapshot it was seen in, which bounds its age
 * from below.
 *
 * Complexity: O(nodes) per pair, one merge walk over the id-sorted ordinals of both snapshots.
 */
import type { DiffRow, NewObject, SeriesRow } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import { classesWithDefinitions, ordinalForId } from './analysis.ts';
import type { ClassAssignment } from './classes.ts';
import { classTotals } from './summary.ts';

interface DiffAccumulator {
  names: string[];
  keys: string[];
  index: Map<string, number>;
  added: number[];
  removed: number[];
  addedSize: number[];
  removedSize: number[];
}

function slot(acc: DiffAccumulator, key: string, name: string): number {
  let i = acc.index.get(key);
  if (i === undefined) {
    i = acc.names.length;
    acc.index.set(key, i);
    acc.names.push(name);
    acc.keys.push(key);
    acc.added.push(0);
    acc.removed.push(0);
    acc.addedSize.push(0);
    acc.removedSize.push(0);
  }
  return i;
}

/**
 * Walks two snapshots in node-id order and calls back for objects only in `before`, only in `after`, and
 * in both. Objects with a zero shallow size are skipped on each side.
 */
function mergeById(
  before: AnalyzedSnapshot,
  after: AnalyzedSnapshot,
  onlyBefore: (ordinal: number) => void,
  onlyAfter: (ordinal: number) => void,
  both: (beforeOrdinal: number, afterOrdinal: number) => void,
): void {
  const a = before.ordinalsById;
  const b = after.ordinalsById;
  const ga = before.graph;
  const gb = after.graph;
  const aNodes = ga.nodes;
  const bNodes = gb.nodes;
  const af = ga.layout.nodeFieldCount;
  const bf = gb.layout.nodeFieldCount;
  const aId = ga.layout.nodeIdOffset;
  const bId = gb.layout.nodeIdOffset;
  const aSize = ga.layout.nodeSelfSizeOffset;
  const bSize = gb.layout.nodeSelfSizeOffset;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && aNodes[a[i] * af + aSize] === 0) {
      i++;
      continue;
    }
    if (j < b.length && bNodes[b[j] * bf + bSize] === 0) {
      j++;
      continue;
    }
    if (j >= b.length) {
      onlyBefore(a[i++]);
    } else if (i >= a.length) {
      onlyAfter(b[j++]);
    } else {
      const idA = aNodes[a[i] * af + aId];
      const idB = bNodes[b[j] * bf + bId];
      if (idA < idB) onlyBefore(a[i++]);
      else if (idA > idB) onlyAfter(b[j++]);
      else both(a[i++], b[j++]);
    }
  }
}

/** The per-class diff from `before` to `after`: classes with any change, largest size delta first. */
export function diffSnapshots(before: AnalyzedSnapshot, after: AnalyzedSnapshot): DiffRow[] {
  const afterClasses = after.classes;
  const beforeClasses = classesWithDefinitions(before, afterClasses.definitions);
  const acc: DiffAccumulator = { names: [], keys: [], index: new Map(), added: [], removed: [], addedSize: [], removedSize: [] };
  const aSize = (o: number): number => before.graph.nodeSelfSize(o);
  const bSize = (o: number): number => after.graph.nodeSelfSize(o);
  const beforeSlot = classSlots(acc, beforeClasses);
  const afterSlot = classSlots(acc, afterClasses);
  const removeFrom = (o: number): void => {
    const s = beforeSlot[beforeClasses.nodeClass[o]];
    acc.removed[s]++;
    acc.removedSize[s] += aSize(o);
  };
  const addTo = (o: number): void => {
    const s = afterSlot[afterClasses.nodeClass[o]];
    acc.added[s]++;
    acc.addedSize[s] += bSize(o);
  };
  mergeById(before, after, removeFrom, addTo, (oa, ob) => {
    if (beforeSlot[beforeClasses.nodeClass[oa]] !== afterSlot[afterClasses.nodeClass[ob]]) {
      removeFrom(oa);
      addTo(ob);
    }
  });
  const rows: DiffRow[] = [];
  for (let s = 0; s < acc.names.length; s++) {
    if (acc.added[s] === 0 && acc.removed[s] === 0) continue;
    rows.push({
      className: acc.names[s],
      classKey: acc.keys[s],
      added: acc.added[s],
      removed: acc.removed[s],
      countDelta: acc.added[s] - acc.removed[s],
      addedSize: acc.addedSize[s],
      removedSize: acc.removedSize[s],
      sizeDelta: acc.addedSize[s] - acc.removedSize[s],
    });
  }
  rows.sort((x, y) => y.sizeDelta - x.sizeDelta || y.countDelta - x.countDelta || (x.className < y.className ? -1 : 1));
  return rows;
}

/** Maps a snapshot's class ids to accumulator slots, by class key. */
function classSlots(acc: DiffAccumulator, classes: ClassAssignment): Int32Array {
  const slots = new Int32Array(classes.names.length);
  for (let id = 0; id < classes.names.length; id++) slots[id] = slot(acc, classes.keys[id], classes.names[id]);
  return slots;
}

/** The objects of a class (by key or name) present in `after` but not in `before`, lowest id first. */
export function newObjects(before: AnalyzedSnapshot, after: AnalyzedSnapshot, classNameOrKey: string, limit = 1000): { total: number; objects: NewObject[] } {
  const afterClasses = after.classes;
  const objects: NewObject[] = [];
  let total = 0;
  const matches = (o: number): boolean => {
    const id = afterClasses.nodeClass[o];
    return afterClasses.keys[id] === classNameOrKey || afterClasses.names[id] === classNameOrKey;
  };
  const beforeClasses = classesWithDefinitions(before, afterClasses.definitions);
  const take = (o: number): void => {
    if (!matches(o)) return;
    total++;
    if (objects.length < limit) {
      objects.push({ nodeId: after.graph.nodeId(o), className: afterClasses.names[afterClasses.nodeClass[o]], shallowSize: after.graph.nodeSelfSize(o) });
    }
  };
  mergeById(before, after, () => {}, take, (oa, ob) => {
    if (beforeClasses.keys[beforeClasses.nodeClass[oa]] !== afterClasses.keys[afterClasses.nodeClass[ob]]) take(ob);
  });
  return { total, objects };
}

/**
 * Per class across a series (oldest first): the count and size in each snapshot, classified with the last
 * snapshot's interface definitions so that rows line up. Sorted by growth of the count, largest first.
 */
export function seriesOf(snapshots: AnalyzedSnapshot[]): SeriesRow[] {
  const last = snapshots[snapshots.length - 1];
  const definitions = last.classes.definitions;
  const index = new Map<string, number>();
  const rows: SeriesRow[] = [];
  snapshots.forEach((snapshot, k) => {
    const classes = classesWithDefinitions(snapshot, definitions);
    const totals = classTotals(snapshot, classes);
    for (let id = 0; id < classes.names.length; id++) {
      if (totals.counts[id] === 0) continue;
      let r = index.get(classes.keys[id]);
      if (r === undefined) {
        r = rows.length;
        index.set(classes.keys[id], r);
        rows.push({
          className: classes.names[id],
          classKey: classes.keys[id],
          counts: new Array<number>(snapshots.length).fill(0),
          sizes: new Array<number>(snapshots.length).fill(0),
          onlyGrew: false,
        });
      }
      rows[r].counts[k] += totals.counts[id];
      rows[r].sizes[k] += totals.shallowSizes[id];
    }
  });
  for (const row of rows) {
    let grew = false;
    let fell = false;
    for (let k = 1; k < row.counts.length; k++) {
      if (row.counts[k] > row.counts[k - 1]) grew = true;
      if (row.counts[k] < row.counts[k - 1]) fell = true;
    }
    row.onlyGrew = grew && !fell;
  }
  rows.sort((x, y) => {
    const gx = x.counts[x.counts.length - 1] - x.counts[0];
    const gy = y.counts[y.counts.length - 1] - y.counts[0];
    return gy - gx || (x.className < y.className ? -1 : 1);
  });
  return rows;
}

/**
 * For each node of the last snapshot, the index of the first snapshot of the series that held an object
 * with its id. Nodes of the last snapshot only get the last index.
 */
export function firstSeenIndexes(snapshots: AnalyzedSnapshot[]): Uint16Array {
  const last = snapshots[snapshots.length - 1];
  const firstSeen = new Uint16Array(last.graph.nodeCount).fill(snapshots.length - 1);
  const lastIds = last.ordinalsById;
  const lg = last.graph;
  // Walk from the newest earlier snapshot to the oldest; each overwrite moves the bound further back.
  for (let k = snapshots.length - 2; k >= 0; k--) {
    const earlier = snapshots[k];
    const ids = earlier.ordinalsById;
    const eg = earlier.graph;
    let i = 0;
    let j = 0;
    while (i < ids.length && j < lastIds.length) {
      const idE = eg.nodeId(ids[i]);
      const idL = lg.nodeId(lastIds[j]);
      if (idE < idL) i++;
      else if (idE > idL) j++;
      else {
        firstSeen[lastIds[j]] = k;
        i++;
        j++;
      }
    }
  }
  return firstSeen;
}

/** How many probe objects {@link sameIdSpace} compares at most. */
const ID_PROBES = 512;

/**
 * Whether two snapshots share V8's object-id space: taken in one inspector session (or in one process
 * with `v8.writeHeapSnapshot`), where an id names one object for as long as it lives. A new session
 * restarts the ids, and the same id then names an unrelated object.
 *
 * The check probes objects of `after` that should have lived through both (its native contexts, the
 * global objects the root holds, and an even sample of objects whose ids `before` could hold) and looks
 * each id up in `before`: in one id space, an id found there names an object of the same type and name.
 * In a new space, most found ids name something else. Related when at least 90% of the found probes
 * agree (a property renamed in between, or a string's content, is the rare disagreement of one space).
 * The native contexts must agree one by one: they are the most stable objects of a heap.
 *
 * Complexity: O(probes × log nodes).
 */
export function sameIdSpace(before: AnalyzedSnapshot, after: AnalyzedSnapshot): boolean {
  const ga = before.graph;
  const gb = after.graph;
  const maxBefore = ga.maxNodeId();
  const probes: number[] = [];
  const isNativeContext = gb.strings.matcher('system / NativeContext');
  const contexts = new Set<number>();
  const { nodeFieldCount, nodeNameOffset, nodeTypeOffset } = gb.layout;
  const { hidden } = gb.layout.nodeType;
  for (let ordinal = 0, nodeIndex = 0; ordinal < gb.nodeCount; ordinal++, nodeIndex += nodeFieldCount) {
    if (gb.nodes[nodeIndex + nodeTypeOffset] === hidden && isNativeContext(gb.nodes[nodeIndex + nodeNameOffset])) contexts.add(ordinal);
  }
  probes.push(...contexts);
  for (let e = gb.firstLinks[gb.rootNodeOrdinal], end = gb.firstLinks[gb.rootNodeOrdinal + 1]; e < end; e++) {
    const child = gb.edgeTargetOrdinal(e);
    if (gb.nodeType(child) !== gb.layout.nodeType.synthetic) probes.push(child);
  }
  // An even sample over the ids both could hold, skipping V8's synthetic nodes (the same in every snapshot).
  const ids = after.ordinalsById;
  let eligible = 0;
  while (eligible < ids.length && gb.nodeId(ids[eligible]) <= maxBefore) eligible++;
  const stride = Math.max(1, Math.floor(eligible / ID_PROBES));
  for (let i = 0; i < eligible; i += stride) {
    const ordinal = ids[i];
    if (gb.nodeType(ordinal) !== gb.layout.nodeType.synthetic) probes.push(ordinal);
  }
  let found = 0;
  let agree = 0;
  for (const ordinal of probes) {
    const other = ordinalForId(before, gb.nodeId(ordinal));
    if (other < 0) continue;
    found++;
    const same = ga.nodeTypeName(other) === gb.nodeTypeName(ordinal) && ga.nodeName(other) === gb.nodeName(ordinal);
    if (same) agree++;
    else if (contexts.has(ordinal)) return false;
  }
  // Nothing in common at all: no object lived through both, which one process's series never shows.
  if (found === 0) return false;
  return agree >= 0.9 * found;
}

/** Whether every consecutive pair of a series shares one id space ({@link sameIdSpace}). */
export function seriesSharesIdSpace(snapshots: AnalyzedSnapshot[]): boolean {
  for (let k = 1; k < snapshots.length; k++) if (!sameIdSpace(snapshots[k - 1], snapshots[k])) return false;
  return true;
}

/**
 * The per-class diff when ids cannot be matched (snapshots of different sessions): only count and size
 * deltas, from each snapshot's class totals. `added` and `removed` are null: which objects are new cannot
 * be known.
 */
export function classDeltas(before: AnalyzedSnapshot, after: AnalyzedSnapshot): DiffRow[] {
  const rows = seriesOf([before, after]);
  const result: DiffRow[] = [];
  for (const row of rows) {
    const countDelta = row.counts[1] - row.counts[0];
    const sizeDelta = row.sizes[1] - row.sizes[0];
    if (countDelta === 0 && sizeDelta === 0) continue;
    result.push({ className: row.className, classKey: row.classKey, added: null, removed: null, countDelta, addedSize: null, removedSize: null, sizeDelta });
  }
  result.sort((x, y) => y.sizeDelta - x.sizeDelta || y.countDelta - x.countDelta || (x.className < y.className ? -1 : 1));
  return result;
}
