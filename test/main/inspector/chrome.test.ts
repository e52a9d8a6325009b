// A Chrome target: Debian's Chromium with --remote-debugging-port, attached by port, a page chosen from
// /json/list, snapshotted and analysed like a Node process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { attachByPort } from '../../../src/main/inspector/attach.ts';
import { listTargets } from '../../../src/main/inspector/http.ts';
import { TargetMonitor } from '../../../src/main/inspector/monitor.ts';
import { chromiumPath } from '../../e2e/browser.ts';

const PAGE = `data:text/html,<title>Leaky page</title><script>class CartItem { constructor(i) { this.sku = 'sku-' + i; } } window.cart = []; for (let i = 0; i < 321; i++) window.cart.push(new CartItem(i));</script>`;
let chrome: ChildProcess | null = null;
afterAll(() => {
  chrome?.kill('SIGKILL');
});

describe('Chrome targets', () => {
  it('attaches to a page by port, takes a snapshot, and finds its leaking class', async () => {
    chrome = spawn(chromiumPath(), ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'le-chrome-'))}`, '--remote-debugging-port=0', PAGE], { stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await new Promise<number>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${err}`)), 30_000);
      chrome?.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        const match = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    // The page may need a moment to appear in /json/list.
    for (let i = 0; i < 50 && !(await listTargets('127.0.0.1', port)).some((t) => t.type === 'page' && t.title === 'Leaky page'); i++) await new Promise((r) => setTimeout(r, 100));
    const page = (await listTargets('127.0.0.1', port)).find((t) => t.type === 'page' && t.title === 'Leaky page');
    expect(page).toBeDefined();
    const session = await attachByPort(port, { targetId: page?.id });
    try {
      expect(session.info).toMatchObject({ pid: null, title: 'Leaky page', kind: 'page', nodeVersion: null });
      const engine = new LocalEngine();
      const snapshot = await new TargetMonitor(session, engine).takeSnapshot();
      const rows = await engine.call('summary', { id: snapshot.id });
      expect(rows.find((r) => r.className === 'CartItem')?.count).toBe(321);
      const { nodeId } = await engine.call('oldest', { ids: [snapshot.id], classNameOrKey: 'CartItem' });
      const { paths } = await engine.call('retainerPaths', { id: snapshot.id, nodeId });
      expect(paths[0].map((s) => s.edgeName)).toContain('cart');
    } finally {
      await session.close();
    }
  });
});
