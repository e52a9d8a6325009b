/**
 * Class names as Chrome DevTools' Summary view gives them, and the class key that tells apart classes of
 * one name defined at different source locations.
 *
 * - hidden → `(system)`, code → `(compiled code)`, closure → `Function`, regexp → `RegExp`;
 *   object and native → their V8 name (`Request`, `system / Context`, `<div>` for `<div id=…>`);
 *   other types → `(type)`: `(string)`, `(concatenated string)`, `(number)`, `(array)`…
 * - Plain `Object`s get an inferred interface name, `{url, status}`, when enough objects share it
 *   (DevTools' inferInterfaceDefinitions: at least 2 objects and 1 in 1000 plain objects).
 * - The key is `scriptId,line,column,name` for object nodes with a constructor location, else `,name`.
 *
 * Complexity: O(nodes + edges of plain objects × log(properties)). Source: behaviour of DevTools'
 * front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts (calculateObjectNames,
 * inferInterfaceDefinitions, applyInterfaceDefinitions, classKeyInternal), re-implemented on our arrays.
 */
import type { HeapGraph } from './graph.ts';
import { isShared, release, sharedUint32Array } from './buffers.ts';

/** A named shape of plain objects: the first properties, in the order most objects have them. */
export interface InterfaceDefinition {
  name: string;
  properties: string[];
}

/** Which class each node belongs to. */
export interface ClassAssignment {
  /** nodeClass[ordinal] is an index into `names` and `keys`. */
  nodeClass: Uint32Array;
  names: string[];
  keys: string[];
  definitions: InterfaceDefinition[];
}

const MIN_INTERFACE_PROPERTY_COUNT = 1;
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE = 2;
const MIN_OBJECT_PROPORTION_PER_INTERFACE = 1000;

/** Escapes property names with commas, quotes or braces, as DevTools does in interface names. */
export function formatPropertyName(name: string): string {
  if (/[,'"{}]/.test(name)) {
    const json = JSON.stringify({ [name]: 0 });
    return json.substring(1, json.length - 3);
  }
  return name;
}

/**
 * The plain objects of a snapshot grouped by shape (the sequence of their property names): each plain
 * object's shape number, and per shape one object that has it and how many do. Shapes are numbered in the
 * order of their first object.
 */
export interface PlainObjectShapes {
  /**
   * shapeOf[ordinal]: the shape number of a plain object, -1 for any other node. On a SharedArrayBuffer:
   * {@link assignClasses} writes the node classes over it, each node's after reading its shape.
   */
  shapeOf: Int32Array;
  representatives: number[];
  /**
   * The property names of each shape's representative, decoded on first use: inferring the interfaces and
   * naming the classes both read them, and decoding a name from the snapshot's bytes costs a call into C++.
   */
  names?: Array<string[] | undefined>;
  counts: number[];
}

/**
 * Groups the plain objects by shape. Shapes are hashed from the name string indexes (no string is built),
 * and a hit is confirmed against the shape's first object, so hash collisions cannot mix shapes.
 * O(edges of plain objects), twice (hash, then confirm).
 */
export function plainObjectShapes(graph: HeapGraph): PlainObjectShapes {
  const { nodes, edgeNames, links, firstLinks, nodeCount } = graph;
  const { nodeFieldCount, nodeTypeOffset, nodeNameOffset } = graph.layout;
  const objectType = graph.layout.nodeType.object;
  const property = graph.layout.edgeType.property;
  const isObjectName = graph.strings.matcher('Object');
  const shapeOf = new Int32Array(new SharedArrayBuffer(nodeCount * 4)).fill(-1);
  const representatives: number[] = [];
  const counts: number[] = [];
  // An open-addressing table of shapes by hash (shapes of one hash take successive slots); shape + 1 in
  // `slotShape`, 0 for a free slot. Kept under half full.
  let mask = 1023;
  let slotHash = new Uint32Array(mask + 1);
  let slotShape = new Int32Array(mask + 1);
  const insert = (h: number, shape: number): void => {
    let slot = h & mask;
    while (slotShape[slot] !== 0) slot = (slot + 1) & mask;
    slotHash[slot] = h;
    slotShape[slot] = shape + 1;
  };
  const sameShape = (a: number, b: number): boolean => {
    let ea = firstLinks[a];
    let eb = firstLinks[b];
    const endA = firstLinks[a + 1];
    const endB = firstLinks[b + 1];
    for (;;) {
      while (ea < endA && (links[ea] & 15) !== property) ea++;
      while (eb < endB && (links[eb] & 15) !== property) eb++;
      if (ea >= endA || eb >= endB) return ea >= endA && eb >= endB;
      if (edgeNames[ea] !== edgeNames[eb]) return false;
      ea++;
      eb++;
    }
  };
  for (let ordinal = 0, nodeIndex = 0; ordinal < nodeCount; ordinal++, nodeIndex += nodeFieldCount) {
    if (nodes[nodeIndex + nodeTypeOffset] !== objectType || !isObjectName(nodes[nodeIndex + nodeNameOffset])) continue;
    let h = 2166136261;
    for (let e = firstLinks[ordinal], end = firstLinks[ordinal + 1]; e < end; e++) {
      if ((links[e] & 15) === property) h = Math.imul(h ^ edgeNames[e], 16777619);
    }
    h >>>= 0;
    let shape = -1;
    for (let slot = h & mask; slotShape[slot] !== 0; slot = (slot + 1) & mask) {
      if (slotHash[slot] === h && sameShape(representatives[slotShape[slot] - 1], ordinal)) {
        shape = slotShape[slot] - 1;
        break;
      }
    }
    if (shape < 0) {
      shape = representatives.length;
      representatives.push(ordinal);
      counts.push(0);
      if (representatives.length * 2 > mask) {
        const oldHash = slotHash;
        const oldShape = slotShape;
        mask = mask * 2 + 1;
        slotHash = new Uint32Array(mask + 1);
        slotShape = new Int32Array(mask + 1);
        for (let slot = 0; slot < oldShape.length; slot++) if (oldShape[slot] !== 0) insert(oldHash[slot], oldShape[slot] - 1);
      }
      insert(h, shape);
    }
    counts[shape]++;
    shapeOf[ordinal] = shape;
  }
  return { shapeOf, representatives, counts };
}

/** Infers interface definitions from the plain objects of a snapshot (grouped by {@link plainObjectShapes}). */
export function inferInterfaceDefinitions(graph: HeapGraph, shapes = plainObjectShapes(graph)): InterfaceDefinition[] {
  const candidates = new Map<string, { name: string; properties: string[]; count: number }>();
  let plainObjects = 0;
  // Shapes come in the order of their first object, so names are met in the order of theirs.
  shapes.representatives.forEach((ordinal, shape) => {
    const count = shapes.counts[shape];
    plainObjects += count;
    const named = interfaceNameOf(shapeNames(graph, shapes, shape));
    if (named === null) return;
    const candidate = candidates.get(named.name);
    if (candidate) candidate.count += count;
    else candidates.set(named.name, { name: named.name, properties: named.properties, count });
  });
  // Stable sort: ties keep first-seen order, which decides priority between equal matches.
  const sorted = [...candidates.values()].sort((a, b) => b.count - a.count);
  const minCount = Math.max(MIN_OBJECT_COUNT_PER_INTERFACE, plainObjects / MIN_OBJECT_PROPORTION_PER_INTERFACE);
  const result: InterfaceDefinition[] = [];
  for (const candidate of sorted) {
    if (candidate.count < minCount) break;
    result.push({ name: candidate.name, properties: candidate.properties });
  }
  return result;
}

/** The property names of a shape (see {@link PlainObjectShapes.names}). */
function shapeNames(graph: HeapGraph, shapes: PlainObjectShapes, shape: number): string[] {
  const names = (shapes.names ??= []);
  return (names[shape] ??= propertyNames(graph, shapes.representatives[shape]));
}

/** An object's property edge names, in edge order. */
function propertyNames(graph: HeapGraph, ordinal: number): string[] {
  const { edgeNames, links, strings, firstLinks } = graph;
  const property = graph.layout.edgeType.property;
  const names: string[] = [];
  for (let e = firstLinks[ordinal], end = firstLinks[ordinal + 1]; e < end; e++) {
    if ((links[e] & 15) === property) names.push(strings.get(edgeNames[e]));
  }
  return names;
}

/** The interface name DevTools infers from a property sequence (null when it has no usable property). */
function interfaceNameOf(names: string[]): { name: string; properties: string[] } | null {
  let name = '{';
  const properties: string[] = [];
  for (const edgeName of names) {
    if (edgeName === '__proto__') continue;
    const formatted = formatPropertyName(edgeName);
    if (name.length > MIN_INTERFACE_PROPERTY_COUNT && name.length + formatted.length > MAX_INTERFACE_NAME_LENGTH) break;
    if (name.length !== 1) name += ', ';
    name += formatted;
    properties.push(edgeName);
  }
  if (properties.length === 0) return null;
  return { name: `${name}}`, properties };
}

interface MatchInfo {
  name: string;
  propertyCount: number;
  index: number;
}

interface PropertyTreeNode {
  next: Map<string, PropertyTreeNode>;
  matchInfo: MatchInfo | null;
  greatestNext: string | null;
}

function betterMatch(a: MatchInfo, b: MatchInfo | null): MatchInfo {
  if (!b || a.propertyCount > b.propertyCount) return a;
  if (b.propertyCount > a.propertyCount) return b;
  return a.index <= b.index ? a : b;
}

/** A trie over sorted property names; a node that ends a definition carries its name. */
function buildPropertyTree(definitions: InterfaceDefinition[]): PropertyTreeNode {
  const root: PropertyTreeNode = { next: new Map(), matchInfo: null, greatestNext: null };
  definitions.forEach((definition, index) => {
    const properties = [...definition.properties].sort();
    let node = root;
    for (const property of properties) {
      let next = node.next.get(property);
      if (!next) {
        next = { next: new Map(), matchInfo: null, greatestNext: null };
        node.next.set(property, next);
        if (node.greatestNext === null || node.greatestNext < property) node.greatestNext = property;
      }
      node = next;
    }
    node.matchInfo ??= { name: definition.name, propertyCount: properties.length, index };
  });
  return root;
}


/**
 * Assigns each node its class, applying the given interface definitions to plain objects (by shape).
 * Consumes `shapes.shapeOf`: the node classes are written over it (each node's after its shape is read), so
 * that the analysis' busiest moment holds one node-sized array fewer.
 */
export function assignClasses(graph: HeapGraph, definitions: InterfaceDefinition[], shapes = plainObjectShapes(graph)): ClassAssignment {
  const { nodes, strings, nodeCount } = graph;
  const { nodeFieldCount, nodeTypeOffset, nodeNameOffset, nodeTypes } = graph.layout;
  const t = graph.layout.nodeType;

  const names: string[] = [];
  const keys: string[] = [];
  const idByKey = new Map<string, number>();
  const classFor = (key: string, name: string): number => {
    let id = idByKey.get(key);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      keys.push(key);
      idByKey.set(key, id);
    }
    return id;
  };
  const classForName = (name: string): number => classFor(`,${name}`, name);

  // Object and native names repeat a lot: cache the class per string index.
  const byNameIndex = new Int32Array(strings.length).fill(-1);
  const objectClassName = (raw: string): string => {
    if (raw.startsWith('<')) {
      const space = raw.indexOf(' ');
      return space === -1 ? raw : `${raw.substring(0, space)}>`;
    }
    if (raw.startsWith('Detached <')) {
      const space = raw.indexOf(' ', 10);
      return space === -1 ? raw : `${raw.substring(0, space)}>`;
    }
    return raw;
  };

  const categoryName = (type: number): string => {
    if (type === t.hidden) return '(system)';
    if (type === t.code) return '(compiled code)';
    if (type === t.closure) return 'Function';
    if (type === t.regexp) return 'RegExp';
    return `(${nodeTypes[type] ?? 'unknown'})`;
  };
  const byType = new Int32Array(nodeTypes.length).fill(-1);

  const tree = buildPropertyTree(definitions);
  const fallback: MatchInfo = { name: 'Object', propertyCount: 0, index: Infinity };
  const locations = locationsByOrdinal(graph);
  const byLocation = new Map<number, number>();
  const lastBase = new Int32Array(locations?.keys.length ?? 0).fill(-1);
  const lastLocated = new Int32Array(locations?.keys.length ?? 0);
  // The match depends only on the property names: one match (and class) per shape.
  const { shapeOf } = shapes;
  // Shared, so that the analysis worker can total the classes: in shapeOf's buffer, which is.
  const nodeClass = isShared(shapeOf) && shapeOf.length === nodeCount ? new Uint32Array(shapeOf.buffer, shapeOf.byteOffset, nodeCount) : sharedUint32Array(nodeCount);
  const shapeClass = new Int32Array(shapes.representatives.length).fill(-1);
  const classOfShape = (shape: number): number => {
    if (shapeClass[shape] < 0) {
      const properties = shapeNames(graph, shapes, shape);
      shapeClass[shape] = classForName(properties.length === 0 || definitions.length === 0 ? 'Object' : matchInterface(tree, properties, fallback).name);
    }
    return shapeClass[shape];
  };

  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const nodeIndex = ordinal * nodeFieldCount;
    const type = nodes[nodeIndex + nodeTypeOffset];
    let name: string;
    let id: number;
    if (type === t.object || type === t.native) {
      const nameIndex = nodes[nodeIndex + nodeNameOffset];
      // A plain object is named by its shape.
      if (shapeOf[ordinal] >= 0) {
        id = classOfShape(shapeOf[ordinal]);
        name = names[id];
      } else {
        const cached = byNameIndex[nameIndex];
        if (cached >= 0) {
          id = cached;
          name = names[id];
        } else {
          name = objectClassName(strings.get(nameIndex));
          id = classForName(name);
          byNameIndex[nameIndex] = id;
        }
      }
      if (type === t.object && locations !== null && locations.byOrdinal[ordinal] >= 0) {
        // A location almost always has one constructor name: remember its class in a typed array, and fall
        // back to a map for the rare second name; build each key string once.
        const location = locations.byOrdinal[ordinal];
        if (lastBase[location] === id) {
          id = lastLocated[location];
        } else {
          const pair = location * 4194304 + id;
          let located = byLocation.get(pair);
          if (located === undefined) {
            located = classFor(`${locations.keys[location]},${name}`, name);
            byLocation.set(pair, located);
          }
          lastBase[location] = id;
          lastLocated[location] = located;
          id = located;
        }
      }
    } else {
      // Every other type maps to one fixed category: resolve it once per type.
      id = byType[type] ?? -1;
      if (id < 0) {
        id = classForName(categoryName(type));
        if (type < byType.length) byType[type] = id;
      }
    }
    nodeClass[ordinal] = id;
  }
  if (locations) release(locations.byOrdinal);
  return { nodeClass, names, keys, definitions };
}

function matchInterface(tree: PropertyTreeNode, properties: string[], fallback: MatchInfo): MatchInfo {
  properties.sort();
  let states: PropertyTreeNode[] = [tree];
  let match = betterMatch(fallback, tree.matchInfo);
  for (const property of properties) {
    // Iterate the states that existed before this property; drop the ones that can go no further.
    const current = states;
    const kept: PropertyTreeNode[] = [];
    const added: PropertyTreeNode[] = [];
    for (const state of current) {
      if (!(state.greatestNext === null || property >= state.greatestNext)) kept.push(state);
      const next = state.next.get(property);
      if (next) {
        added.push(next);
        match = betterMatch(match, next.matchInfo);
      }
    }
    states = kept;
    for (const next of added) if (!states.includes(next)) states.push(next);
    if (states.length === 0) break;
  }
  return match;
}

/**
 * Each node's constructor location from the snapshot's `locations` section, as an index into interned
 * `scriptId,line,column` keys (-1 where none).
 */
function locationsByOrdinal(graph: HeapGraph): { byOrdinal: Int32Array; keys: string[] } | null {
  const { locations } = graph;
  const { locationFieldCount, locationIndexOffset, locationScriptIdOffset, locationLineOffset, locationColumnOffset, nodeFieldCount } = graph.layout;
  if (locationFieldCount === 0 || locations.length === 0 || locationIndexOffset < 0) return null;
  const byOrdinal = new Int32Array(graph.nodeCount).fill(-1);
  const keys: string[] = [];
  // Interned by an open-addressing table over the three numbers (many objects share few locations), so that
  // a key string is built once per distinct location. first[slot]: the first location of a key, or -1.
  const locationCount = Math.floor(locations.length / locationFieldCount);
  const mask = (1 << Math.max(4, Math.ceil(Math.log2(locationCount * 2 + 1)))) - 1;
  const first = new Int32Array(mask + 1).fill(-1);
  const idAt = new Int32Array(mask + 1);
  for (let i = 0; i + locationFieldCount <= locations.length; i += locationFieldCount) {
    const nodeIndex = locations[i + locationIndexOffset];
    if (nodeIndex % nodeFieldCount !== 0 || nodeIndex / nodeFieldCount >= graph.nodeCount) {
      graph.problems.add(`Location ${i / locationFieldCount} points to ${nodeIndex}, which is not a node.`);
      continue;
    }
    const scriptId = locations[i + locationScriptIdOffset];
    const line = locations[i + locationLineOffset];
    const column = locations[i + locationColumnOffset];
    let slot = (Math.imul(Math.imul(scriptId, 0x9e3779b1) ^ line, 0x85ebca6b) ^ column) & mask;
    for (;;) {
      const other = first[slot];
      if (other < 0) {
        first[slot] = i;
        idAt[slot] = keys.length;
        keys.push(`${scriptId},${line},${column}`);
        break;
      }
      if (locations[other + locationScriptIdOffset] === scriptId && locations[other + locationLineOffset] === line && locations[other + locationColumnOffset] === column) break;
      slot = (slot + 1) & mask;
    }
    byOrdinal[nodeIndex / nodeFieldCount] = idAt[slot];
  }
  return { byOrdinal, keys };
}
