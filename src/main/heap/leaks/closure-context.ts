/**
 * Rule: a closure context (`system / Context`) whose variables hold more and more: a scope that every call
 * extends (a `with` or `eval` scope), or a chain of contexts. Its entries are its `context` edges. Variables
 * that hold a growing Array or Map are found by the other rules, and named by the closure (see owner.ts).
 */
import type { AccumulationRule } from './rule.ts';

export const closureContext: AccumulationRule = {
  name: 'closure-context',
  detects: 'A closure scope whose captured variables keep being added.',
  matches: (view, ordinal) => view.graph.nodeType(ordinal) === view.graph.layout.nodeType.hidden && view.named(ordinal, 'system / Context'),
  entries(view, ordinal, each) {
    const { graph } = view;
    const { context } = graph.layout.edgeType;
    let count = 0;
    for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
      if (graph.edgeType(e) !== context) continue;
      count++;
      each?.(ordinal, e, graph.edgeTargetOrdinal(e));
    }
    return count;
  },
};
