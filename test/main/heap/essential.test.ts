// WeakMap entry names (V8's ephemeron edges), recognised without decoding the strings that cannot be one,
// and the strings the links flag as possible entry names (graph.ts), which must include every real one.
import { describe, expect, it } from 'vitest';
import { EphemeronNames, longEdgeNames, SHORTEST_EPHEMERON_NAME } from '../../../src/main/heap/essential.ts';
import { StringTable } from '../../../src/main/heap/strings.ts';

/** A table holding `values` as the parser holds them: JSON literal bodies, escapes kept. */
function tableOf(values: string[]): StringTable {
  const table = new StringTable();
  for (const value of values) {
    const literal = JSON.stringify(value);
    const body = Buffer.from(literal.slice(1, -1), 'utf8');
    const start = table.usedBytes;
    table.append(body, 0, body.length);
    table.addParsed(start, start + body.length, literal.length - 2 !== value.length);
  }
  return table;
}

describe('EphemeronNames', () => {
  it('recognises the shortest entry name, escaped and non-ASCII ones, and refuses the rest', () => {
    const escaped = '12 / part of key (Evil"><script> @3) -> value (Object @5) pair in WeakMap (table @7)';
    const wide = '9 / part of key (Ünïcødé 🙂 @31) -> value (Map @33) pair in WeakMap (table @35)';
    const values = [SHORTEST_EPHEMERON_NAME, escaped, wide, SHORTEST_EPHEMERON_NAME.slice(1), '298919', 'map', `x${SHORTEST_EPHEMERON_NAME}`];
    const table = tableOf(values);
    table.push(escaped);
    const names = new EphemeronNames(table);
    expect(names.get(0)).toEqual({ duplicatedPart: SHORTEST_EPHEMERON_NAME.slice(1), tableId: 0 });
    expect(names.get(1)).toEqual({ duplicatedPart: escaped.slice(2), tableId: 7 });
    expect(names.get(2)).toEqual({ duplicatedPart: wide.slice(1), tableId: 35 });
    expect(names.get(values.length)?.tableId).toBe(7);
    for (let index = 3; index < values.length; index++) expect(names.get(index), values[index]).toBeUndefined();
    // The three entry names are flagged, and the long non-entry; the short ones are not (the pushed string is
    // no edge's name).
    expect(Array.from(longEdgeNames(table))).toEqual([1, 1, 1, 0, 0, 0, 1]);
  });
});
