/**
 * Original source positions from source maps: a TypeScript or bundled target runs generated JavaScript, and
 * V8 (the sampling profiler, the snapshot's locations, the trace tree) reports positions in that
 * JavaScript. Where the script carries a source map, the position in the file the user wrote wins.
 *
 * Only local files are read: the script must be a local path or a `file://` URL, and its map is either
 * inline (a `data:` URL) or a local file named by the script's `//# sourceMappingURL=` comment. Nothing is
 * ever fetched over the network (SOURCE_MAP_NOT_LOCAL), both files are size-capped
 * (SOURCE_MAP_TOO_LARGE), and a map that is not a source map gives SOURCE_MAP_INVALID. A failure costs only
 * the original position of that script's frames: it is recorded once per script in {@link SourceMapper.problems}.
 *
 * Decoding is @jridgewell/trace-mapping's: O(M) once per map for M bytes of mappings, then O(log S) per
 * position for S segments on its line. Each script is read at most once per mapper.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TraceMap, originalPositionFor, type SourceMapInput } from '@jridgewell/trace-mapping';
import { LeakExplorerError, toErrorInfo, type ErrorInfo } from '../../shared/errors.ts';
import type { GeneratedPosition } from '../../shared/model.ts';

/** The largest script read to find its `sourceMappingURL` comment. */
export const MAX_SCRIPT_BYTES = 64 << 20;
/** The largest source map read, inline or from a file. */
export const MAX_SOURCE_MAP_BYTES = 32 << 20;

/** A position in the original source, 1-based as editors show it. */
export interface OriginalPosition {
  /** The original file as a `file://` URL (or the map's own name for it when it is not a path). */
  url: string;
  line: number;
  column: number;
}

/** How the mapper reads local files: injected so that the engine's logic stays testable without a disk. */
export interface LocalFiles {
  /** The file's text, or null when there is no regular file at `path`. Throws SOURCE_MAP_TOO_LARGE past `maxBytes`. */
  read(path: string, maxBytes: number): string | null;
}

/** Reads files from this machine's disk, size-capped before reading. */
export const diskFiles: LocalFiles = {
  read(path, maxBytes) {
    let size: number;
    try {
      const stats = statSync(path);
      if (!stats.isFile()) return null;
      size = stats.size;
    } catch {
      return null;
    }
    if (size > maxBytes) {
      throw new LeakExplorerError('SOURCE_MAP_TOO_LARGE', `${path} is ${size} bytes; source maps and their scripts are read up to ${maxBytes} bytes.`);
    }
    try {
      return readFileSync(path, 'utf8');
    } catch {
      // Unreadable (permissions, a race with a delete): as if there were no file.
      return null;
    }
  },
};

/**
 * The local path of a script's name as V8 reports it: an absolute path (CommonJS in snapshots), or a
 * `file://` URL (ES modules, the profiler). Null for anything else (`node:internal/…`, `http://…`, eval).
 */
export function localPath(url: string): string | null {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  if (url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url)) return isAbsolute(url) ? url : null;
  return null;
}

/**
 * The URL of the last `//# sourceMappingURL=` (or `//@`) comment of a script, or null. Only the last counts,
 * as in browsers: a bundle may quote the comment inside a string earlier on.
 */
export function sourceMappingUrl(script: string): string | null {
  const tail = script.length > 1 << 20 ? script.slice(-(1 << 20)) : script;
  const pattern = /\/\/[#@][ \t]*sourceMappingURL=[ \t]*(\S+)[ \t]*$/gm;
  let last: string | null = null;
  for (let match = pattern.exec(tail); match; match = pattern.exec(tail)) last = match[1];
  return last;
}

/** The text of a `data:` URL (base64 or percent-encoded), size-capped. */
export function dataUrlText(url: string, maxBytes = MAX_SOURCE_MAP_BYTES): string {
  const comma = url.indexOf(',');
  if (comma < 0) throw new LeakExplorerError('SOURCE_MAP_INVALID', 'The inline source map is not a data: URL (no comma).');
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  // base64 grows by a third: check the encoded length before decoding it.
  if (body.length > Math.ceil((maxBytes * 4) / 3) + 4) {
    throw new LeakExplorerError('SOURCE_MAP_TOO_LARGE', `The inline source map is ${body.length} characters; source maps are read up to ${maxBytes} bytes.`);
  }
  if (/;base64$/i.test(header)) return Buffer.from(body, 'base64').toString('utf8');
  try {
    return decodeURIComponent(body);
  } catch (cause) {
    throw new LeakExplorerError('SOURCE_MAP_INVALID', 'The inline source map is not valid percent-encoded text.', { cause });
  }
}

/** Parses a source map (version 3), its sources resolved against `mapUrl`. */
export function parseSourceMap(text: string, mapUrl: string): TraceMap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // Not the parser's message: V8 quotes the text it failed on, and that text is a local file's content.
    throw new LeakExplorerError('SOURCE_MAP_INVALID', `${mapUrl} is not JSON.`, { cause });
  }
  const map = json as { version?: unknown; mappings?: unknown; sources?: unknown; sections?: unknown };
  if (typeof json !== 'object' || json === null || map.version !== 3 || (!Array.isArray(map.sections) && (typeof map.mappings !== 'string' || !Array.isArray(map.sources)))) {
    throw new LeakExplorerError('SOURCE_MAP_INVALID', `${mapUrl} is not a version 3 source map (it needs version, sources and mappings).`);
  }
  try {
    return new TraceMap(json as SourceMapInput, mapUrl);
  } catch (cause) {
    throw new LeakExplorerError('SOURCE_MAP_INVALID', `${mapUrl}: ${(cause as Error).message}`, { cause });
  }
}

/** At most this many problems are kept: one bad map a script, not one a frame. */
const MAX_PROBLEMS = 20;
/** At most this many scripts are read per mapper: a snapshot naming thousands of local files cannot make it read them all. */
export const MAX_SCRIPTS = 1000;

/** Maps generated positions to original ones, reading each local script and its map once. */
export class SourceMapper {
  private readonly files: LocalFiles;
  private readonly maps = new Map<string, TraceMap | null>();
  /** The scripts whose map could not be used, and why (capped). */
  readonly problems: Array<ErrorInfo & { script: string }> = [];

  constructor(files: LocalFiles = diskFiles) {
    this.files = files;
  }

  /** The source map of a script, or null when it has none, is not local, or its map failed (see problems). */
  mapOf(scriptUrl: string): TraceMap | null {
    if (this.maps.has(scriptUrl)) return this.maps.get(scriptUrl) ?? null;
    if (this.maps.size >= MAX_SCRIPTS) return null;
    let map: TraceMap | null = null;
    try {
      map = this.load(scriptUrl);
    } catch (error) {
      if (this.problems.length < MAX_PROBLEMS) this.problems.push({ ...toErrorInfo(error), script: scriptUrl });
    }
    this.maps.set(scriptUrl, map);
    return map;
  }

  private load(scriptUrl: string): TraceMap | null {
    const path = localPath(scriptUrl);
    if (path === null) return null;
    const script = this.files.read(path, MAX_SCRIPT_BYTES);
    if (script === null) return null;
    const reference = sourceMappingUrl(script);
    if (reference === null) return null;
    const scriptFileUrl = pathToFileURL(path).href;
    if (/^data:/i.test(reference)) return parseSourceMap(dataUrlText(reference), scriptFileUrl);
    let mapUrl: URL;
    try {
      mapUrl = new URL(reference, scriptFileUrl);
    } catch (cause) {
      throw new LeakExplorerError('SOURCE_MAP_INVALID', `${path} names its source map '${reference.slice(0, 200)}', which is not a URL.`, { cause });
    }
    if (mapUrl.protocol !== 'file:' || (mapUrl.host !== '' && mapUrl.host !== 'localhost')) {
      throw new LeakExplorerError('SOURCE_MAP_NOT_LOCAL', `${path} names its source map at ${mapUrl.href.slice(0, 200)}, which is not a local file; Leak Explorer never fetches over the network.`);
    }
    const mapPath = fileURLToPath(mapUrl);
    const text = this.files.read(mapPath, MAX_SOURCE_MAP_BYTES);
    if (text === null) throw new LeakExplorerError('SOURCE_MAP_INVALID', `${path} names its source map ${mapPath}, but there is no file there.`, { remedy: 'Keep the .map file beside the script (tsc --sourceMap writes it there), or compile with --inlineSourceMap.' });
    return parseSourceMap(text, mapUrl.href);
  }

  /** The original position of a generated one (1-based line and column), or null when unknown. */
  original(scriptUrl: string, line: number, column: number): OriginalPosition | null {
    if (!scriptUrl || line < 1) return null;
    const map = this.mapOf(scriptUrl);
    if (!map) return null;
    const found = originalPositionFor(map, { line, column: Math.max(0, column - 1) });
    if (found.source === null || found.line === null || found.column === null) return null;
    return { url: found.source, line: found.line, column: found.column + 1 };
  }

  /**
   * A frame with its original position when the script has a source map: url, line and column become the
   * original ones and `generated` keeps V8's. Frames without a map come back as they were.
   */
  mapFrame<T extends { url: string; line: number; column: number; generated?: GeneratedPosition }>(frame: T): T {
    if (frame.generated) return frame;
    const place = this.original(frame.url, frame.line, frame.column);
    if (!place) return frame;
    return { ...frame, url: place.url, line: place.line, column: place.column, generated: { url: frame.url, line: frame.line, column: frame.column } };
  }

  /** A snapshot's function location ({name, script, line, column}) with its original position. */
  mapLocation<T extends { script: string | null; line: number; column: number; generated?: GeneratedPosition }>(place: T): T {
    if (place.generated || place.script === null) return place;
    const found = this.original(place.script, place.line, place.column);
    if (!found) return place;
    return { ...place, script: found.url, line: found.line, column: found.column, generated: { url: place.script, line: place.line, column: place.column } };
  }
}

const mappers = new WeakMap<object, SourceMapper>();

/**
 * Gives a snapshot's graph a mapper, so that every function location and allocation stack read from it
 * (locations.ts, allocation-stacks.ts) shows the original position where a source map gives one.
 */
export function useSourceMaps(graph: object, mapper: SourceMapper | null): void {
  if (mapper) mappers.set(graph, mapper);
  else mappers.delete(graph);
}

/** The mapper given to a snapshot's graph, if any. */
export function sourceMapperOf(graph: object): SourceMapper | undefined {
  return mappers.get(graph);
}
