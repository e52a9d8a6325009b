/**
 * Leak suspects, the first view once a series has two snapshots: the engine's accumulation points (objects
 * whose entries grew in every interval), ranked by the growth each explains. Each suspect reads as one
 * sentence, then its classes, its growth and rate, its folded retainer path (a repeated segment as `× 41`),
 * the functions involved with file:line, and its allocation stack when the snapshots were taken with
 * allocation tracking. Each opens its retainer graph and the Retainers tree on a representative object.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { Suspect, SuspectPathStep, SuspectReport } from '../../../shared/model';
import { formatBytes, formatNodeLabel, pathRuns, shortScriptName } from '../../../shared/format';
import { call } from '../api';
import type { AppActions, Workspace } from '../App';
import { AllocationStack, Empty } from '../components';
import { formatCount } from '../table';
import { viaText } from './Graph';

/**
 * The thresholds asked of the engine, so that the explanation below says what was applied: the defaults of
 * the engine (leaks/suspects.ts), which the CLI and the reports use too.
 */
const MIN_COUNT_GROWTH = 10;
const MIN_RETAINED_GROWTH = 4096;

/** A rate per minute: `41/min`, `3.1 MiB/min`; '' when the series spans no time. */
function perMinute(value: number | null, bytes: boolean): string {
  if (value === null) return '';
  return `${bytes ? formatBytes(value) : formatCount(Math.round(value))}/min`;
}


export function SuspectsView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const snapshots = workspace.snapshots;
  const ids = snapshots.map((s) => s.id);
  const key = ids.join(',');
  const [report, setReport] = useState<{ key: string; value: SuspectReport } | null>(null);

  useEffect(() => {
    if (ids.length < 2) return;
    let current = true;
    call('suspects', { ids, minCountGrowth: MIN_COUNT_GROWTH, minRetainedGrowth: MIN_RETAINED_GROWTH })
      .then((value) => current && setReport({ key, value }))
      .catch(actions.fail);
    return () => {
      current = false;
    };
    // The snapshot list is the key: a new or closed snapshot asks again.
  }, [key, actions]);

  if (snapshots.length < 2) {
    return (
      <Empty title="Suspects need a series">
        A suspect is something that grows in every interval between snapshots. Take or open two or more snapshots of the same process, some time apart.
      </Empty>
    );
  }
  const shown = report?.key === key ? report.value : null;
  const last = snapshots[snapshots.length - 1];
  const openGraph = (nodeId: number) => actions.show('retainers', { snapshotId: last.id, nodeId, className: null });

  return (
    <div className="panel" aria-label="Leak suspects">
      <div className="panel-head wrap">
        <h3>Leak suspects</h3>
        {shown && (
          <span className="muted">
            {snapshots.length} snapshots · {shown.intervals} interval{shown.intervals === 1 ? '' : 's'} · {formatDuration(shown.durationMs)}
          </span>
        )}
        {shown?.tentative && (
          <span className="badge accent" title="One interval cannot tell a leak from noise: take another snapshot to confirm">
            tentative: 2 snapshots
          </span>
        )}
      </div>
      {!shown && <Empty title="Looking for what grows…" />}
      {shown && shown.warnings.length > 0 && (
        <div className="panel-body">
          {shown.warnings.map((w) => (
            <div key={w} className="banner notice" role="status">
              <div>{w}</div>
            </div>
          ))}
        </div>
      )}
      {shown && shown.suspects.length === 0 && (
        <Empty title="No suspects">
          {shown.idSpaceMismatch
            ? 'These snapshots come from different runs (their object ids restarted), so no object can be followed from one to the next. Take the series from one attach.'
            : `Nothing grew in every one of the ${shown.intervals} interval${shown.intervals === 1 ? '' : 's'}. A suspect is a container (an array, a Map or Set, an object used as a dictionary, a listener list, a closure's context) whose entries grew in every interval, by at least ${MIN_COUNT_GROWTH} in all, keeping at least ${formatBytes(MIN_RETAINED_GROWTH)} of new objects alive. Two snapshots give tentative suspects; three or more confirm them. A cache that levels off or a pool has an interval without growth, so it is not one.`}
        </Empty>
      )}
      {shown?.suspects.map((suspect) => (
        <SuspectCard key={`${suspect.rank}-${suspect.containerNodeId}`} suspect={suspect} tentative={shown.tentative} onOpen={openGraph} />
      ))}
    </div>
  );
}

/** The engine's sentence, whose `code` spans are names from the heap: shown as code (as text, never as HTML). */
function withCode(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${(ms / 60_000).toFixed(ms < 600_000 ? 1 : 0)} min`;
}

function SuspectCard({ suspect, tentative, onOpen }: { suspect: Suspect; tentative: boolean; onOpen: (nodeId: number) => void }) {
  const edge = `${suspect.leakingEdge.ownerClassName}.${suspect.leakingEdge.edgeName}`;
  const representative = suspect.path[0];
  return (
    <article className="suspect" aria-label={`Suspect ${suspect.rank}: ${edge}`}>
      <div className="suspect-head">
        <span className="suspect-rank">#{suspect.rank}</span>
        <h4>{withCode(suspect.headline)}</h4>
        {tentative && <span className="badge accent">tentative</span>}
      </div>
      <div className="kv suspect-facts">
        <span className="muted">Leaking edge</span>
        <span>
          <b className="mono">{edge}</b> <span className="muted mono">@{suspect.leakingEdge.ownerNodeId}</span> holds a growing {suspect.containerClassName}{' '}
          <span className="muted">({suspect.rule}{suspect.merged > 1 ? `, ${suspect.merged} such points merged` : ''})</span>
        </span>
        <span className="muted">Classes</span>
        <span className="mono">{suspect.classNames.join(', ') || '—'}</span>
        <span className="muted">Growth</span>
        <span>
          <span className="grow">+{formatCount(suspect.countAdded)}</span> entries{suspect.countGrowth !== null && <> ({perMinute(suspect.countGrowth, false)})</>}, keeping{' '}
          <span className="grow">{formatBytes(suspect.retainedGrowth)}</span> of new objects alive{suspect.bytesGrowth !== null && <> ({perMinute(suspect.bytesGrowth, true)})</>}
        </span>
        {suspect.chain && (
          <>
            <span className="muted">Linked chain</span>
            <span>
              each object holds the next through <span className="mono">{suspect.chain.linkEdge}</span>: {suspect.chain.lengths.map((n) => formatCount(n)).join(' → ')} long{' '}
              <span className="grow">(+{formatCount(suspect.chain.lengthGrowth)})</span>
            </span>
          </>
        )}
        {suspect.holds && (
          <>
            <span className="muted">Each entry holds</span>
            <span>
              <span className="mono">{suspect.holds.className}</span> through <span className="mono">{suspect.holds.via}</span>
            </span>
          </>
        )}
        {suspect.closures.length > 0 && (
          <>
            <span className="muted">Code</span>
            <span className="mono">
              {suspect.closures.map((c) => (
                <div key={`${c.name}@${c.script}:${c.line}:${c.column}`}>
                  {c.name || '(anonymous)'}() {c.script ? `${shortScriptName(c.script)}:${c.line}:${c.column}` : `line ${c.line}`}
                  {c.count > 1 && <span className="muted"> × {formatCount(c.count)}</span>}
                </div>
              ))}
            </span>
          </>
        )}
        {suspect.allocationStack && suspect.allocationStack.length > 0 && (
          <>
            <span className="muted">Allocated at</span>
            <AllocationStack frames={suspect.allocationStack} max={suspect.allocationStack.length} />
          </>
        )}
      </div>
      {suspect.path.length > 0 && (
        <div className="suspect-path" aria-label={`Retainer path of suspect ${suspect.rank}`}>
          <FoldedPath steps={suspect.path} onOpen={onOpen} />
        </div>
      )}
      {representative && (
        <div className="row suspect-actions">
          <button className="btn" onClick={() => onOpen(representative.nodeId)}>
            Open its retainer graph
          </button>
          <span className="muted">
            on {formatNodeLabel(representative)} @{representative.nodeId}, with the Retainers tree
          </span>
        </div>
      )}
    </article>
  );
}

/** A suspect's path, from the leaked object to a GC root; a repeated segment is boxed, with its count. */
function FoldedPath({ steps, onOpen }: { steps: SuspectPathStep[]; onOpen: (nodeId: number) => void }) {
  const parts: ReactNode[] = [];
  const link = (step: SuspectPathStep, i: number) => (
    <span key={`${step.nodeId}-${i}`} className="step">
      <button className="link-button" onClick={() => onOpen(step.nodeId)} title={`@${step.nodeId}: open its retainer graph`}>
        {formatNodeLabel(step)}
      </button>
      {step.edgeName !== '' || step.edgeType !== '' ? <span className="grow"> ←{viaText(step.edgeType, step.edgeName)}— </span> : null}
    </span>
  );
  let at = 0;
  for (const run of pathRuns(steps)) {
    const inner = run.steps.map((step) => link(step, at++));
    if (run.repeat === undefined) {
      parts.push(inner[0]);
      continue;
    }
    parts.push(
      <span key={`segment-${run.steps[0].segment}`} className="fold" title={`This segment repeats ${run.repeat} times in a row`}>
        ( {inner} ) <b className="fold-count">× {run.repeat}</b>{' '}
      </span>,
    );
  }
  return (
    <div className="mono" style={{ lineHeight: 2 }}>
      {parts}
      <span className="muted"> (GC root)</span>
    </div>
  );
}
