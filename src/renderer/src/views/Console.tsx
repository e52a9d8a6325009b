/** A console in the target, with prefs(), getOldest(name) and iterAll(name), as in Scrapy's telnet console. */
import { useEffect, useRef, useState } from 'react';
import type { EvalResult } from '../../../shared/app-api';
import { call } from '../api';
import { PropertyList, SubmitRow } from '../components';
import type { AppActions, Workspace } from '../App';

const EXAMPLES = ['prefs()', "getOldest('HtmlResponse').url", "iterAll('HtmlResponse').slice(0, 5).map((r) => r.url)", 'process.memoryUsage()'];

export function ConsoleView({ workspace, actions }: { workspace: Workspace; actions: AppActions }) {
  const target = workspace.target!;
  const [input, setInput] = useState('');
  const [history, setHistory] = useState<Array<{ expression: string; result: EvalResult }>>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const out = useRef<HTMLDivElement>(null);

  // Follow the output: the newest result is always in view.
  useEffect(() => {
    out.current?.scrollTo({ top: out.current.scrollHeight });
  }, [history.length]);

  const run = async (expression: string) => {
    if (!expression.trim() || workspace.gone) return;
    try {
      const result = await call('evaluate', { sessionId: target.sessionId, expression });
      setHistory((h) => [...h, { expression, result }]);
      setInput('');
      setCursor(null);
    } catch (e) {
      actions.fail(e);
    }
  };

  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Console</h3>
        <span className="muted">Runs in the target. <code>prefs()</code>, <code>getOldest(name)</code> and <code>iterAll(name)</code> are available; <code>await</code> works at the top level.</span>
      </div>
      <div className="panel-body">
        <div className="console-out" ref={out} aria-live="polite" aria-label="Console output">
          {history.length === 0 && <div className="muted">Try: {EXAMPLES.map((e) => <button key={e} className="btn small" style={{ margin: 2 }} onClick={() => void run(e)}>{e}</button>)}</div>}
          {history.map((entry, i) => (
            <div key={i} className="entry">
              <div className="in">› {entry.expression}</div>
              <div className={entry.result.ok ? '' : 'err'} style={{ whiteSpace: 'pre-wrap' }}>{entry.result.description}</div>
              {entry.result.properties.length > 0 && <PropertyList properties={entry.result.properties} />}
            </div>
          ))}
        </div>
        <SubmitRow style={{ marginTop: 8 }} onSubmit={() => void run(input)}>
          <span className="mono muted">›</span>
          <input
            className="field mono"
            style={{ flex: 1 }}
            aria-label="Expression"
            value={input}
            placeholder="getOldest('HtmlResponse').url"
            disabled={!!workspace.gone}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowUp' && history.length) {
                e.preventDefault();
                const next = cursor === null ? history.length - 1 : Math.max(0, cursor - 1);
                setCursor(next);
                setInput(history[next].expression);
              }
            }}
          />
          <button className="btn" type="submit" disabled={!!workspace.gone}>
            Run
          </button>
        </SubmitRow>
      </div>
    </div>
  );
}
