/**
 * The accumulation rules, in the order they are tried: a node is counted by the first rule that matches
 * it (a chain's head first: it may also look like a small dictionary); refining rules (listener arrays) then claim the growing containers they recognise. The false-alarm
 * filters then drop suspects that are not leaks. Adding a rule touches its own file and this list.
 */
import { arrayElements } from './array-elements.ts';
import { closureContext } from './closure-context.ts';
import { linkedChain } from './linked-chain.ts';
import { listenerArrays } from './listener-arrays.ts';
import { mapSetEntries } from './map-set-entries.ts';
import { objectDictionary } from './object-dictionary.ts';
import type { AccumulationRule } from './rule.ts';
import type { SuspectFilter } from './filter.ts';
import { weakBookkeeping } from './weak-bookkeeping.ts';

export type { SuspectFilter };

/** Every accumulation rule. */
export const ACCUMULATION_RULES: readonly AccumulationRule[] = [linkedChain, mapSetEntries, arrayElements, listenerArrays, objectDictionary, closureContext];

/** Every false-alarm filter, applied to each suspect. */
export const SUSPECT_FILTERS: readonly SuspectFilter[] = [weakBookkeeping];
