/**
 * An expandable tree over the engine's tree slices (Retainers, Dominators, Containment), as DevTools draws
 * them: one row per object with the edge that links it to its parent, sizes and the share of the heap; a
 * level is fetched when it is opened, a page of 100 at a time. A path can be opened on arrival (the closest
 * retainers down to a GC root; the dominator tree down to MAT's accumulation point).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TreeKind, TreeRow } from '../../shared/model';
import { formatBytes } from '../../shared/format';
import { call } from './api';
import { formatCount, formatPercent } from './table';
import { viaText } from './views/Graph';

const PAGE = 100;

interface Level {
  rows: TreeRow[];
  total: number;
}

/** How the tree opens itself: along the first (closest) child, or along a given path of node ids. */
export type AutoExpand = { kind: 'first'; depth: number } | { kind: 'path'; nodeIds: number[] } | null;

interface Props {
  snapshotId: number;
  kind: TreeKind;
  /** The object whose children form the first level (null: the synthetic root). */
  rootNodeId: number | null;
  /** The snapshot's total size, for the % of heap column. */
  totalSize: number;
  autoExpand?: AutoExpand;
  /** The dominator tree's accumulation point, marked in its row. */
  accumulationNodeId?: number;
  label: string;
  /** The row a person picked. */
  selected?: number | null;
  onSelect?: (row: TreeRow) => void;
  /** Opens an object's retainer graph. */
  onOpen?: (row: TreeRow) => void;
  onError: (error: unknown) => void;
}

const keyOf = (path: number[]) => path.join('/');

export function TreeView({ snapshotId, kind, rootNodeId, totalSize, autoExpand = null, accumulationNodeId, label, selected, onSelect, onOpen, onError }: Props) {
  const [levels, setLevels] = useState<Map<string, Level>>(new Map());
  const [open, setOpen] = useState<Set<string>>(new Set());
  const generation = useRef(0);
  const scrolled = useRef(false);
  const rootPath = rootNodeId === null ? [] : [rootNodeId];

  const load = useCallback(
    async (path: number[], offset = 0): Promise<Level | null> => {
      const mine = generation.current;
      const nodeId = path.length ? path[path.length - 1] : null;
      const page = await call('tree', { id: snapshotId, kind, nodeId, offset, limit: PAGE, accumulationNodeId });
      // A tree for another snapshot or object came meanwhile: this answer is stale.
      if (mine !== generation.current) return null;
      let merged: Level = page;
      setLevels((old) => {
        const next = new Map(old);
        const before = old.get(keyOf(path));
        merged = offset > 0 && before ? { total: page.total, rows: [...before.rows, ...page.rows] } : page;
        next.set(keyOf(path), merged);
        return next;
      });
      return page;
    },
    [snapshotId, kind, accumulationNodeId],
  );

  // A new snapshot, tree or object: start over, and open the requested path.
  useEffect(() => {
    generation.current++;
    const mine = generation.current;
    scrolled.current = false;
    setLevels(new Map());
    setOpen(new Set([keyOf(rootPath)]));
    void (async () => {
      try {
        let path = rootPath;
        let page = await load(path);
        if (!autoExpand) return;
        let previousDistance = Infinity;
        for (let depth = 0; page && mine === generation.current; depth++) {
          let next: TreeRow | undefined;
          if (autoExpand.kind === 'first') {
            // Along the closest retainer, while each step is closer to the roots, until a root's child.
            // Weak retainers do not keep the object alive: the path follows the first strong one.
            next = page.rows.find((r) => r.edgeType !== 'weak');
            if (!next || depth >= autoExpand.depth || next.distance < 1 || next.distance >= previousDistance || !next.hasChildren) break;
            previousDistance = next.distance;
          } else {
            next = page.rows.find((r) => r.nodeId === autoExpand.nodeIds[depth]);
            if (!next || depth >= autoExpand.nodeIds.length - 1) break;
          }
          path = [...path, next.nodeId];
          const key = keyOf(path);
          setOpen((o) => new Set(o).add(key));
          if (autoExpand.kind === 'first' && next.distance <= 1) break;
          page = await load(path);
        }
      } catch (error) {
        if (mine === generation.current) onError(error);
      }
    })();
    // rootPath is derived from rootNodeId.
  }, [snapshotId, kind, rootNodeId, autoExpand, load, onError]);

  const toggle = async (path: number[]) => {
    const key = keyOf(path);
    if (open.has(key)) {
      setOpen((o) => {
        const next = new Set(o);
        next.delete(key);
        return next;
      });
      return;
    }
    setOpen((o) => new Set(o).add(key));
    if (!levels.has(key)) await load(path).catch(onError);
  };

  // Flatten the open levels into rows, depth first.
  const flat: Array<{ row: TreeRow; path: number[]; depth: number } | { more: number[]; depth: number; shown: number; total: number }> = [];
  const walk = (path: number[], depth: number) => {
    const level = levels.get(keyOf(path));
    if (!level) return;
    for (const row of level.rows) {
      const childPath = [...path, row.nodeId];
      flat.push({ row, path: childPath, depth });
      // A retainer can retain its retainer: never open a node twice on one path.
      if (open.has(keyOf(childPath)) && !path.includes(row.nodeId)) walk(childPath, depth + 1);
    }
    if (level.rows.length < level.total) flat.push({ more: path, depth, shown: level.rows.length, total: level.total });
  };
  walk(rootPath, 0);

  return (
    <div className="tree-scroll">
      <table className="data tree" aria-label={label}>
        <thead>
          <tr>
            <th>{kind === 'retainers' ? 'Retainer' : kind === 'dominators' ? 'Object' : 'Reference'}</th>
            <th className="num">Distance</th>
            <th className="num">Shallow</th>
            <th className="num">Retained</th>
            <th className="num">% heap</th>
          </tr>
        </thead>
        <tbody>
          {levels.size === 0 && (
            <tr>
              <td colSpan={5} className="muted">Loading…</td>
            </tr>
          )}
          {flat.map((item) => {
            if ('more' in item) {
              return (
                <tr key={`more:${keyOf(item.more)}`}>
                  <td colSpan={5} style={{ paddingLeft: 10 + item.depth * 16 }}>
                    <button className="btn small" onClick={() => void load(item.more, item.shown).catch(onError)}>
                      Show {formatCount(Math.min(PAGE, item.total - item.shown))} more of {formatCount(item.total - item.shown)}
                    </button>
                  </td>
                </tr>
              );
            }
            const { row, path, depth } = item;
            const key = keyOf(path);
            const isOpen = open.has(key);
            return (
              <tr
                key={key}
                className={`clickable${row.accumulationPoint ? ' accumulation' : ''}`}
                aria-selected={selected === row.nodeId}
                aria-expanded={row.hasChildren ? isOpen : undefined}
                aria-level={depth + 1}
                tabIndex={0}
                ref={(el) => {
                  if (el && row.accumulationPoint && !scrolled.current) {
                    scrolled.current = true;
                    el.scrollIntoView({ block: 'center' });
                  }
                }}
                onClick={() => onSelect?.(row)}
                onDoubleClick={() => onOpen?.(row)}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowRight' && !isOpen && row.hasChildren) void toggle(path);
                  else if (e.key === 'ArrowLeft' && isOpen) void toggle(path);
                  else if (e.key === 'Enter') onOpen?.(row);
                  else if (e.key === 'ArrowDown') (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
                  else if (e.key === 'ArrowUp') (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
                }}
              >
                <td style={{ paddingLeft: 6 + depth * 16 }} title={`${row.className} @${row.nodeId}`}>
                  <button
                    className="twisty"
                    aria-label={isOpen ? 'Collapse' : 'Expand'}
                    disabled={!row.hasChildren}
                    onClick={(e) => {
                      e.stopPropagation();
                      void toggle(path);
                    }}
                  >
                    {row.hasChildren ? (isOpen ? '▾' : '▸') : ''}
                  </button>
                  {row.edgeType && <span className={`mono via${row.edgeType === 'weak' ? ' weak' : ''}`}>{viaText(row.edgeType, row.edgeName)}</span>}
                  {row.edgeType && <span className="muted">{kind === 'retainers' ? ' in ' : ' → '}</span>}
                  <span>{row.type === 'string' || row.type === 'concatenated string' ? `"${row.name.slice(0, 60)}"` : row.type === 'synthetic' ? row.name : row.className}</span>{' '}
                  <span className="mono muted">@{row.nodeId}</span>
                  {row.accumulationPoint && <span className="badge accent" style={{ marginLeft: 6 }}>accumulation point</span>}
                  {onOpen && (
                    <button
                      className="link-button"
                      style={{ marginLeft: 6 }}
                      onClick={(e) => {
                        e.stopPropagation();
                        onOpen(row);
                      }}
                      title="Open its retainer graph"
                    >
                      graph
                    </button>
                  )}
                </td>
                <td className="num muted">{row.distance < 0 ? '—' : row.distance >= 100_000_000 ? `${row.distance - 100_000_000}*` : row.distance}</td>
                <td className="num">{formatBytes(row.shallowSize)}</td>
                <td className="num">{formatBytes(row.retainedSize)}</td>
                <td className="num muted">{formatPercent(row.retainedSize, totalSize)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
