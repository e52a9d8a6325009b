/**
 * The shape of a false-alarm filter (memlab's leak-filters, the other way round): a small object that
 * rejects a suspect which grows in every interval but is not a leak a person would fix.
 */
import type { Suspect } from '../../../shared/model.ts';

/** A rule that rejects suspects that are not leaks. */
export interface SuspectFilter {
  readonly name: string;
  /** Why such growth is not a leak, for people (the README lists these). */
  readonly explains: string;
  /** True to drop the suspect. */
  rejects(suspect: Suspect): boolean;
}
