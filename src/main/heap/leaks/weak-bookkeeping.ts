/**
 * Filter: a registry whose entries hold their objects only through WeakRefs (leak-explorer/trackref's
 * records, a FinalizationRegistry's cells). It grows with the objects it tracks, which are alive for other
 * reasons; it keeps nothing alive itself, so the leak is wherever those objects are held.
 */
import type { SuspectFilter } from './filter.ts';

export const weakBookkeeping: SuspectFilter = {
  name: 'weak-bookkeeping',
  explains: 'Entries that hold their objects only through WeakRef track objects kept alive elsewhere; they are a symptom, not the leak.',
  rejects: (suspect) => suspect.holds?.className === 'WeakRef',
};
