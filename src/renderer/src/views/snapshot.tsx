/** Taking a snapshot of a live target, with the warning first when it will freeze or swell the target. */
import { useState } from 'react';
import { call } from '../api';
import type { AppActions, Workspace } from '../App';

/** A snapshot button that warns first, and the warning panel it may show. */
export function useSnapshot(workspace: Workspace, actions: AppActions) {
  const [warning, setWarning] = useState<string | null>(null);
  const [taking, setTaking] = useState(false);
  const take = async (confirmed = false) => {
    const target = workspace.target;
    if (!target || workspace.gone) return;
    try {
      if (!confirmed) {
        const usage = await call('heapUsage', { sessionId: target.sessionId });
        if (usage.warning) {
          setWarning(usage.warning);
          return;
        }
      }
      setWarning(null);
      setTaking(true);
      const loaded = await call('takeSnapshot', { sessionId: target.sessionId }, actions.setProgress);
      actions.addSnapshot(loaded);
      return loaded;
    } catch (e) {
      actions.fail(e);
    } finally {
      setTaking(false);
      actions.setProgress(null);
    }
    return undefined;
  };
  const panel = warning ? (
    <div className="banner notice" role="alertdialog" aria-label="Snapshot warning">
      <div>
        <b>Before the snapshot:</b> {warning}
      </div>
      <button className="btn small" onClick={() => void take(true)}>
        Take it anyway
      </button>
      <button className="btn small" onClick={() => setWarning(null)}>
        Cancel
      </button>
    </div>
  ) : null;
  return { take, taking, panel };
}
