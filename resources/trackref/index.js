// leak-explorer/trackref: Scrapy's trackref for JavaScript. Import it in the program you want to watch:
//
//   import { ObjectRef, track } from 'leak-explorer/trackref';
//   class Request extends ObjectRef { … }     // every Request is recorded with its creation time
//   track(someObject);                          // or record any object
//
// Leak Explorer finds the registry through the global Symbol.for('leak-explorer.trackref') and asks it
// for live counts and exact ages, with no heap snapshot. Records hold objects only through WeakRef and
// FinalizationRegistry, so tracking keeps nothing alive. prefs(), getOldest() and iterAll() work in the
// program itself too, as in Scrapy's telnet console.

const KEY = Symbol.for('leak-explorer.trackref');

// The class name is how Leak Explorer tells trackref's own bookkeeping from the program's objects in a heap
// snapshot (src/shared/model.ts TRACKREF_REGISTRY_CLASS): keep the two in step.
class LeakExplorerTrackrefRegistry {
  constructor() {
    /** className -> Set of records {ref: WeakRef, createdAt} */
    this.byClass = new Map();
    this.finalizer = new FinalizationRegistry((record) => this.forget(record));
    this.version = 1;
  }

  track(object, className) {
    if (object === null || (typeof object !== 'object' && typeof object !== 'function')) {
      throw new TypeError('trackref can only track objects');
    }
    const name = className ?? object.constructor?.name ?? 'Object';
    const record = { className: name, createdAt: Date.now(), ref: new WeakRef(object) };
    let records = this.byClass.get(name);
    if (!records) this.byClass.set(name, (records = new Set()));
    records.add(record);
    this.finalizer.register(object, record);
    return object;
  }

  forget(record) {
    const records = this.byClass.get(record.className);
    if (!records) return;
    records.delete(record);
    if (records.size === 0) this.byClass.delete(record.className);
  }

  /** Live records of a class, oldest first; dead ones (collected, not yet finalised) are skipped. */
  live(className) {
    const out = [];
    for (const record of this.byClass.get(className) ?? []) {
      const object = record.ref.deref();
      if (object !== undefined) out.push({ object, createdAt: record.createdAt });
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  ignored(ignore) {
    const list = ignore === undefined || ignore === null ? [] : Array.isArray(ignore) ? ignore : [ignore];
    const names = new Set(list.filter((item) => typeof item === 'string'));
    const classes = list.filter((item) => typeof item === 'function');
    return (className, object) => names.has(className) || classes.some((cls) => object instanceof cls);
  }

  /** One row per class: {className, count, oldestAgeMs}, most instances first. */
  liveRefs(ignore) {
    const now = Date.now();
    const isIgnored = this.ignored(ignore);
    const rows = [];
    for (const className of this.byClass.keys()) {
      const live = this.live(className).filter(({ object }) => !isIgnored(className, object));
      if (live.length === 0) continue;
      rows.push({ className, count: live.length, oldestAgeMs: now - live[0].createdAt });
    }
    return rows.sort((a, b) => b.count - a.count || (a.className < b.className ? -1 : 1));
  }

  /** Scrapy's prefs(): the live references report as text. */
  prefs(ignore) {
    const rows = this.liveRefs(ignore);
    const width = Math.max(0, ...rows.map((r) => r.className.length));
    const lines = rows.map((r) => `${r.className.padEnd(width)} ${String(r.count).padStart(6)}   oldest: ${Math.round(r.oldestAgeMs / 1000)}s ago`);
    return ['Live References', '', ...lines].join('\n');
  }

  getOldest(className) {
    return this.live(className)[0]?.object;
  }

  iterAll(className) {
    return this.live(className).map(({ object }) => object);
  }

  /** Age in ms of one tracked object, or null when it is not tracked. */
  ageOf(object) {
    const name = object?.constructor?.name;
    for (const record of this.byClass.get(name) ?? []) {
      if (record.ref.deref() === object) return Date.now() - record.createdAt;
    }
    return null;
  }
}

const registry = (globalThis[KEY] ??= new LeakExplorerTrackrefRegistry());

/** Records `object` (under `className`, by default its constructor's name) and returns it. */
export function track(object, className) {
  return registry.track(object, className);
}

/** Extend this to have every instance recorded, like Scrapy's object_ref. */
export class ObjectRef {
  constructor() {
    registry.track(this, new.target.name);
  }
}

/** Live counts and oldest ages per class: [{className, count, oldestAgeMs}]. */
export function liveRefs(ignore) {
  return registry.liveRefs(ignore);
}

/** Scrapy's prefs(): the live references report as text. `ignore` takes class names or classes. */
export function prefs(ignore) {
  return registry.prefs(ignore);
}

/** The oldest live object of a class, or undefined. */
export function getOldest(className) {
  return registry.getOldest(className);
}

/** All live objects of a class, oldest first. */
export function iterAll(className) {
  return registry.iterAll(className);
}
