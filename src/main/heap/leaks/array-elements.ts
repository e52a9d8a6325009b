/**
 * Rule: an Array whose elements accumulate (`this.queue.push(request)`). V8 lists a JSArray's elements as
 * `element` edges of the array itself, whatever its backing store.
 */
import type { AccumulationRule } from './rule.ts';

export const arrayElements: AccumulationRule = {
  name: 'array-elements',
  detects: 'An Array whose elements keep being added (a queue fed faster than it drains, a log, a list of handlers).',
  matches: (view, ordinal) => view.isArray(ordinal),
  entries(view, ordinal, each) {
    const { graph } = view;
    const { element } = graph.layout.edgeType;
    let count = 0;
    for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
      if (graph.edgeType(e) !== element) continue;
      count++;
      each?.(ordinal, e, graph.edgeTargetOrdinal(e));
    }
    return count;
  },
};
