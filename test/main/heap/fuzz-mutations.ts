/**
 * Mutations of a real heap snapshot's bytes, for fuzzing the loader: what a damaged disk, a bad copy, a
 * half-written file or a hostile producer would give. Each mutation is deterministic in its random source,
 * so a failing case is replayed from its seed. Shared by the fuzz test (in `npm test`) and `npm run fuzz`.
 */

import { seededRandom } from './helpers.ts';

/** A source of numbers in [0, 1). */
export type Random = () => number;

const below = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[below(random, items.length)];
const ascii = (text: string) => new TextEncoder().encode(text);

/** The regions worth aiming at: the meta header, the node array, the edge array, the strings, the end. */
function regions(bytes: Uint8Array): Array<[number, number]> {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
  const find = (key: string) => {
    const head = text.indexOf(key);
    if (head >= 0) return head;
    // Past the first 64 KiB: search the bytes themselves.
    const needle = ascii(key);
    outer: for (let at = 0; at + needle.length <= bytes.length; at++) {
      for (let k = 0; k < needle.length; k++) if (bytes[at + k] !== needle[k]) continue outer;
      return at;
    }
    return -1;
  };
  const marks = ['"nodes":', '"edges":', '"strings":', '"locations":'].map(find).filter((at) => at > 0);
  const all: Array<[number, number]> = [[0, Math.min(bytes.length, marks[0] ?? 2048)]];
  for (const at of marks) all.push([at, Math.min(bytes.length, at + 4096)]);
  all.push([Math.max(0, bytes.length - 4096), bytes.length]);
  all.push([0, bytes.length]);
  return all;
}

function position(random: Random, bytes: Uint8Array, aims: Array<[number, number]>): number {
  const [from, to] = pick(random, aims);
  // The regions come from the original; an earlier mutation of the same case may have shortened the bytes.
  return Math.min(bytes.length, from + below(random, Math.max(1, to - from)));
}

const STRUCTURE = Array.from(ascii(`{}[]:,"\\-.eE0123456789 \n`));
const NASTY = ['-1', '99999999999', '4294967296', '1e309', 'NaN', 'null', '"', '\\u0000', '\\ud800', '[', ']', '{', '}', ',', ',,', '""', '\u00ff\u00fe', '0.5', '-0', '18446744073709551616'];

/** Each mutation: a name (for the outcome table) and what it does to a copy of the bytes. */
export const MUTATIONS: ReadonlyArray<{ name: string; apply: (bytes: Uint8Array, random: Random, aims: Array<[number, number]>) => Uint8Array }> = [
  {
    name: 'flip bits',
    apply: (bytes, random, aims) => {
      const out = bytes.slice();
      for (let k = 1 + below(random, 8); k > 0; k--) out[position(random, out, aims)] ^= 1 << below(random, 8);
      return out;
    },
  },
  {
    name: 'structural byte',
    apply: (bytes, random, aims) => {
      const out = bytes.slice();
      for (let k = 1 + below(random, 4); k > 0; k--) out[position(random, out, aims)] = pick(random, STRUCTURE);
      return out;
    },
  },
  {
    name: 'digit change',
    apply: (bytes, random, aims) => {
      const out = bytes.slice();
      for (let k = 1 + below(random, 16); k > 0; k--) {
        const at = position(random, out, aims);
        if (out[at] >= 0x30 && out[at] <= 0x39) out[at] = 0x30 + below(random, 10);
      }
      return out;
    },
  },
  {
    name: 'nasty token',
    apply: (bytes, random, aims) => {
      const at = position(random, bytes, aims);
      const cut = below(random, 12);
      const token = ascii(pick(random, NASTY));
      const out = new Uint8Array(bytes.length - Math.min(cut, bytes.length - at) + token.length);
      out.set(bytes.subarray(0, at));
      out.set(token, at);
      out.set(bytes.subarray(Math.min(bytes.length, at + cut)), at + token.length);
      return out;
    },
  },
  {
    name: 'truncate',
    apply: (bytes, random, aims) => bytes.slice(0, position(random, bytes, aims)),
  },
  {
    name: 'delete range',
    apply: (bytes, random, aims) => {
      const at = position(random, bytes, aims);
      const length = 1 + below(random, 1 << below(random, 16));
      const out = new Uint8Array(bytes.length - Math.min(length, bytes.length - at));
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(Math.min(bytes.length, at + length)), at);
      return out;
    },
  },
  {
    name: 'duplicate range',
    apply: (bytes, random, aims) => {
      const at = position(random, bytes, aims);
      const length = Math.min(bytes.length - at, 1 + below(random, 1 << below(random, 14)));
      const out = new Uint8Array(bytes.length + length);
      out.set(bytes.subarray(0, at + length));
      out.set(bytes.subarray(at), at + length);
      return out;
    },
  },
  {
    name: 'random bytes',
    apply: (bytes, random, aims) => {
      const out = bytes.slice();
      const at = position(random, out, aims);
      for (let k = 0; k < 1 + below(random, 64) && at + k < out.length; k++) out[at + k] = below(random, 256);
      return out;
    },
  },
  {
    name: 'meta count',
    apply: (bytes, random) => {
      // Change node_count, edge_count or trace_function_count, the numbers the parser sizes its arrays by.
      const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
      const key = pick(random, ['"node_count":', '"edge_count":', '"trace_function_count":', '"extra_native_bytes":']);
      const at = text.indexOf(key);
      if (at < 0) return bytes.slice();
      const start = at + key.length;
      let end = start;
      while (end < text.length && /[\d-]/.test(text[end])) end++;
      const value = Number(text.slice(start, end));
      const replacement = ascii(String(pick(random, [0, 1, value - 1, value + 1, value * 2, Math.floor(value / 2), -1, 2 ** 31, 2 ** 32 + value, 2 ** 53]) ));
      const out = new Uint8Array(bytes.length - (end - start) + replacement.length);
      out.set(bytes.subarray(0, start));
      out.set(replacement, start);
      out.set(bytes.subarray(end), start + replacement.length);
      return out;
    },
  },
  {
    name: 'meta field names',
    apply: (bytes, random) => {
      // Rename or swap a field of the meta, which the parser reads the layout from.
      const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
      const names = ['"type"', '"name"', '"id"', '"self_size"', '"edge_count"', '"to_node"', '"name_or_index"', '"detachedness"', '"node_fields"', '"edge_fields"', '"node_types"', '"edge_types"'];
      const from = pick(random, names);
      const at = text.indexOf(from);
      if (at < 0) return bytes.slice();
      const to = ascii(pick(random, names.filter((n) => n !== from).concat(['"x"', '""'])));
      const out = new Uint8Array(bytes.length - from.length + to.length);
      out.set(bytes.subarray(0, at));
      out.set(to, at);
      out.set(bytes.subarray(at + from.length), at + to.length);
      return out;
    },
  },
];

const aimsOf = new WeakMap<Uint8Array, Array<[number, number]>>();

/** One mutated case: the mutations applied (1 to 3 of them) and the resulting bytes. */
export function mutate(original: Uint8Array, seed: number): { how: string; bytes: Uint8Array } {
  const random = seededRandom(seed);
  let aims = aimsOf.get(original);
  if (!aims) aimsOf.set(original, (aims = regions(original)));
  let bytes = original;
  const names: string[] = [];
  for (let k = 1 + (random() < 0.25 ? 1 + below(random, 2) : 0); k > 0; k--) {
    const mutation = pick(random, MUTATIONS);
    names.push(mutation.name);
    bytes = mutation.apply(bytes, random, aims);
  }
  return { how: names.join(' + '), bytes };
}
