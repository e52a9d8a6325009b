/** Number and time formatting shared by the CLI, the reports and the UI, so they all read alike. */

/** Bytes in binary units: `512 B`, `1.5 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1024) return `${sign}${value} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** A signed byte delta: `+1.5 KiB`, `-512 B`, `0 B`. */
export function formatBytesDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** A signed count: `+12`, `-3`, `0`. */
export function formatDelta(count: number): string {
  return count > 0 ? `+${count}` : String(count);
}

/** An age as Scrapy's prefs() prints it: `15s`, `4m 25s`, `2h 3m`; with `≥` when it is a lower bound. */
export function formatAge(ms: number | null, lowerBound = false): string {
  if (ms === null) return '—';
  const seconds = Math.floor(ms / 1000);
  let text: string;
  if (seconds < 60) text = `${seconds}s`;
  else if (seconds < 3600) text = `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  else text = `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return lowerBound ? `≥ ${text}` : text;
}

/** Whole numbers with thin grouping: 12 345. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US').replace(/,/g, '\u202f');
}

/**
 * How a report or the CLI says why an object counts as the oldest of its class: by a clock (trackref,
 * allocation tracking), by the first snapshot that held it, or only by its heap id.
 */
export function describeOldestSource(source: 'trackref' | 'allocation-tracking' | 'first-snapshot' | 'lowest-id'): string {
  switch (source) {
    case 'trackref':
      return 'oldest by its creation time (trackref)';
    case 'allocation-tracking':
      return 'oldest by allocation tracking';
    case 'first-snapshot':
      return 'oldest by the first snapshot that held it, then by heap id';
    default:
      return 'oldest by heap id only: one snapshot cannot date objects';
  }
}
