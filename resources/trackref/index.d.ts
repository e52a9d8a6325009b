/** Records `object` (under `className`, by default its constructor's name) and returns it. */
export function track<T extends object>(object: T, className?: string): T;
/** Extend this to have every instance recorded, like Scrapy's object_ref. */
export class ObjectRef {
  constructor();
}
/** A row of the live references report. */
export interface LiveRefRow {
  className: string;
  count: number;
  oldestAgeMs: number;
}
type ClassLike = abstract new (...args: never[]) => unknown;
type Ignore = string | ClassLike | Array<string | ClassLike>;
/** Live counts and oldest ages per class. */
export function liveRefs(ignore?: Ignore): LiveRefRow[];
/** Scrapy's prefs(): the live references report as text. */
export function prefs(ignore?: Ignore): string;
/** The oldest live object of a class, or undefined. */
export function getOldest(className: string): object | undefined;
/** All live objects of a class, oldest first. */
export function iterAll(className: string): object[];
