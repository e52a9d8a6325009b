/**
 * Rule: a plain object used as a dictionary (`memo[key] = value`, `sessions[id] = session`), whose
 * properties or indexed elements keep being added. V8 lists a dictionary-mode object's properties as
 * `property` edges of the object itself, like a fast object's; `__proto__` is not an entry. Objects made by
 * a class constructor have a fixed set of properties and do not grow, so any object may be counted.
 */
import type { AccumulationRule } from './rule.ts';

export const objectDictionary: AccumulationRule = {
  name: 'object-dictionary',
  detects: 'An object used as a dictionary whose keys keep being added (a module-level memo, a map of sessions).',
  matches: (view, ordinal) => view.isObject(ordinal) && !view.isArray(ordinal) && !view.isMapOrSet(ordinal),
  entries(view, ordinal, each) {
    const { graph } = view;
    const { property, element } = graph.layout.edgeType;
    let count = 0;
    for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
      const type = graph.edgeType(e);
      if (type === element || (type === property && !view.isProtoEdge(e))) {
        count++;
        each?.(ordinal, e, graph.edgeTargetOrdinal(e));
      }
    }
    return count;
  },
};
