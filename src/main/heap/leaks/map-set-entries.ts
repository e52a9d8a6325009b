/**
 * Rule: a Map or Set whose entries accumulate (an unbounded cache keyed by request). V8 keeps the entries in
 * a backing hash table (the collection's internal `table` edge), a new table each time it grows, so the
 * entries are counted through whichever table the collection holds now. The table holds a Map entry as a
 * key and a value at consecutive indexes (`internal` edges named by index); edges at consecutive indexes
 * count as one entry, and keys or values that are small integers (not heap objects) have no edge at all.
 */
import type { AccumulationRule } from './rule.ts';

export const mapSetEntries: AccumulationRule = {
  name: 'map-set-entries',
  detects: 'A Map or Set whose entries keep being added (an unbounded cache, a registry that is never pruned).',
  indirect: true,
  matches: (view, ordinal) => view.isMapOrSet(ordinal),
  entries(view, ordinal, each) {
    const { graph } = view;
    const { internal, weak } = graph.layout.edgeType;
    let table = -1;
    for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
      if (graph.edgeType(e) === internal && view.edgeNamed(e, 'table')) {
        table = graph.edgeTargetOrdinal(e);
        break;
      }
    }
    if (table < 0) return 0;
    let count = 0;
    let previous = -2;
    for (let e = graph.firstLinks[table], end = graph.firstLinks[table + 1]; e < end; e++) {
      if (graph.edgeType(e) === weak || !graph.edgeHasStringName(e)) continue;
      const index = Number(graph.edgeName(e));
      // Named internals of the table (its `map`) are not entries.
      if (!Number.isInteger(index)) continue;
      if (index !== previous + 1) count++;
      previous = index;
      each?.(table, e, graph.edgeTargetOrdinal(e));
    }
    return count;
  },
};
