/**
 * Rule: an EventEmitter's listener array (`emitter.on('data', fn)` on every request, never removed). Node
 * keeps an emitter's listeners in `emitter._events[name]`, an Array once there are two or more, so the
 * array rule counts them; this rule claims the arrays held by an `_events` object, and the suspect is named
 * `_events.<name>` of the emitter (see owner.ts).
 */
import { primaryRetainer } from '../groupings.ts';
import { arrayElements } from './array-elements.ts';
import type { AccumulationRule } from './rule.ts';

export const listenerArrays: AccumulationRule = {
  name: 'listener-arrays',
  detects: "An EventEmitter's listeners for one event (`_events.<name>`) that keep being added and never removed.",
  refines: arrayElements.name,
  matches: arrayElements.matches,
  entries: arrayElements.entries,
  claims(view, ordinal) {
    const held = primaryRetainer(view.snapshot, ordinal);
    if (!held) return false;
    const holder = primaryRetainer(view.snapshot, held[0]);
    return holder !== null && view.edgeNamed(holder[1], '_events');
  },
};
