// The app in a real browser (Debian's Chromium) against the web shell, doing what a newcomer does: try the
// demo, watch live refs grow, take two snapshots and diff them, open the oldest response's retainer graph
// and find `referer` on its path, open a corrupt file. Screenshots land in test-results/screenshots.
import { readFileSync, writeFileSync, mkdtempSync, readFileSync as read } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlerSeries } from '../fixtures/fixtures.ts';
import { shot, startShell, type Shell, openPage } from './browser.ts';

let shell: Shell;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  shell = await startShell();
  ({ browser, page } = await openPage(pageErrors, { consoleErrors: true }));
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
});

async function liveRow(className: string): Promise<{ count: number; ageMs: number }> {
  const count = Number((await page.getByTestId(`count-${className}`).textContent())?.replace(/\D/g, ''));
  const ageMs = Number(await page.getByTestId(`age-${className}`).getAttribute('data-age-ms'));
  return { count, ageMs };
}

describe('the app, as a newcomer uses it', () => {
  it('starts on the targets screen with the demo one click away', async () => {
    await page.goto(shell.url);
    await expect(page.getByRole('button', { name: '▶ Try the demo' }).isVisible()).resolves.toBe(true);
    await page.getByRole('heading', { name: 'Node.js and Python processes on this machine' }).waitFor();
    // The token left the address bar once it became a cookie.
    expect(page.url()).not.toContain('token=');
    await shot(page, '1-targets');
    // Typing mistakes get their code and a remedy, never INTERNAL: a PID (checked by the service) and a port.
    for (const [mode, typed, why] of [
      ['PID', 'abc', /BAD_ARGUMENTS.*'abc'/s],
      ['Inspector port', 'abc', /BAD_ARGUMENTS.*'abc' is not a port.*1 to 65535/s],
    ] as const) {
      await page.getByLabel(mode, { exact: true }).check();
      await page.getByLabel('Target', { exact: true }).fill(typed);
      await page.locator('form').getByRole('button', { name: 'Attach', exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.textContent();
      expect(text).toMatch(why);
      expect(text).not.toMatch(/INTERNAL|\[object Object\]/);
      await page.getByRole('button', { name: 'Dismiss' }).click();
    }
    await page.getByLabel('Target', { exact: true }).fill('');
    await page.getByLabel('PID', { exact: true }).check();
  });

  it('tries the demo and sees the response class grow, and its oldest age grow', async () => {
    await page.getByRole('button', { name: '▶ Try the demo' }).click();
    await page.getByTestId('count-HtmlResponse').waitFor({ timeout: 20_000 });
    const first = await liveRow('HtmlResponse');
    await page.waitForTimeout(2600);
    const second = await liveRow('HtmlResponse');
    expect(second.count).toBeGreaterThan(first.count);
    expect(second.ageMs).toBeGreaterThan(first.ageMs + 1500);
    await expect(page.getByText('Exact ages from the trackref module in the target.').isVisible()).resolves.toBe(true);
    // Clicking the class lists its instances, oldest first, read live: get_oldest('HtmlResponse').url.
    await page.getByRole('row').filter({ hasText: 'HtmlResponse' }).first().click();
    await page.getByText('"http://www.somenastyspider.com/index.html"').first().waitFor();
    await shot(page, '2-live-refs');
  });

  it('takes two snapshots and opens the diff', async () => {
    await page.getByRole('tab', { name: 'Session' }).click();
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await page.getByRole('cell', { name: '1', exact: true }).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await page.getByRole('cell', { name: '2', exact: true }).waitFor({ timeout: 60_000 });
    await shot(page, '3-session');
    // Save…: the server puts the live snapshot in its download folder and the page downloads it by id, with
    // its cookie; the page names no path, and a path given in the URL reaches nothing.
    const [saved] = await Promise.all([page.waitForEvent('download'), page.locator('[data-save-snapshot]').first().click()]);
    expect(saved.suggestedFilename()).toMatch(/^pid-\d+-.*\.heapsnapshot$/);
    expect(readFileSync((await saved.path()) as string).subarray(0, 12).toString()).toBe('{"snapshot":');
    for (const probe of [`/download?path=${encodeURIComponent('/etc/passwd')}`, '/download/..%2F..%2Fetc%2Fpasswd', '/download/unknown-id']) {
      expect((await page.request.get(`${shell.origin}${probe}`)).status(), probe).toBe(404);
    }
    await page.getByRole('tab', { name: 'Diff & growth' }).click();
    const row = page.getByRole('table', { name: 'Diff' }).getByRole('row').filter({ hasText: 'HtmlResponse' }).first();
    await row.waitFor();
    // The growth across the series arrives after the diff: wait for its mark.
    await row.getByText('only grew').waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(Number(cells[1].replace(/\D/g, ''))).toBeGreaterThan(0); // New
    expect(cells[3]).toMatch(/^\+\d+/); // Δ Count
    expect(cells[0]).toContain('only grew');
    await shot(page, '4-diff');
  });

  it('exports the report as HTML, JSON and Markdown files', async () => {
    const downloads: string[] = [];
    const done = new Promise<void>((resolve) => {
      page.on('download', (download) => {
        downloads.push(download.suggestedFilename());
        if (downloads.length === 3) resolve();
      });
    });
    await page.getByRole('button', { name: 'Export report' }).click();
    await done;
    expect(downloads.map((name) => name.replace(/^leak-report-[\dT-]+/, 'leak-report'))).toEqual(['leak-report.html', 'leak-report.json', 'leak-report.md']);
    await page.getByText(/Report exported/).waitFor();
  });

  it('opens the retainer graph of the oldest response and sees referer on its path to the roots', async () => {
    await page.getByRole('tab', { name: 'Live refs' }).click();
    await page.getByRole('row').filter({ hasText: 'HtmlResponse' }).first().click();
    await page.getByRole('button', { name: 'Why is the oldest alive?' }).click();
    const path = page.getByLabel('Shortest retainer path');
    await path.waitFor();
    // The referer chain repeats: its repeats are folded into one segment × N, in the path as in the graph.
    await expect(path.textContent()).resolves.toMatch(/HtmlResponse ←\.referer— \(?\{referer\} ←\.cbKwargs— Request/);
    // In the drawing, the shortest path is highlighted and its edges are labelled.
    const hot = page.locator('.graph-host .edge.hot text');
    // A fitted graph below 0.3× draws no labels (they would be under 4 px): they are in the drawing, and at
    // actual size (Reset) they are painted.
    await hot.first().waitFor({ state: 'attached' });
    expect(await hot.allTextContents()).toEqual(expect.arrayContaining(['.referer', '.cbKwargs']));
    await page.getByRole('button', { name: 'Reset' }).click();
    await hot.first().waitFor();
    expect(await page.locator('.graph-host .node').count()).toBeGreaterThan(5);
    expect(await page.locator('.graph-host .node.root').count()).toBeGreaterThan(0);
    // Clicking a node opens its details, with live values from the running process.
    await page.locator('.graph-host .node.target').click();
    await page.getByText('Live, now').waitFor();
    await shot(page, '5-retainers');
  });

  it('evaluates in the console with getOldest()', async () => {
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByLabel('Expression').fill("getOldest('HtmlResponse').url");
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Console output').getByText('http://www.somenastyspider.com/index.html', { exact: true }).waitFor();
    await shot(page, '6-console');
  });

  it('shows the type summary virtualised, in the dark theme too', async () => {
    await page.getByRole('tab', { name: 'Type summary' }).click();
    const table = page.getByRole('table', { name: 'Type summary' });
    await table.getByRole('row').filter({ hasText: 'HtmlResponse' }).first().waitFor();
    const total = Number(await table.getAttribute('aria-rowcount'));
    const rendered = await table.locator('.vrow').count();
    expect(total).toBeGreaterThan(100);
    expect(rendered).toBeLessThan(total);
    await page.getByLabel('Filter classes').fill('Response');
    await expect(table.locator('.vrow').count()).resolves.toBeLessThan(5);
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await shot(page, '7-summary-dark');
    await page.getByRole('button', { name: 'Switch theme' }).click();
  });

  it('opens a corrupt file with a clear error, and keeps working', async () => {
    await page.getByRole('button', { name: 'Detach' }).click();
    // Detach asks first: the session's snapshots would be closed. It offers to save each, by the same save as
    // the Session tab's (a download by id from the web shell's folder).
    const dialog = page.getByRole('alertdialog', { name: 'Close the workspace' });
    const [kept] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Save #1' }).click()]);
    expect(kept.suggestedFilename()).toMatch(/^pid-\d+-.*\.heapsnapshot$/);
    expect(readFileSync((await kept.path()) as string).subarray(0, 12).toString()).toBe('{"snapshot":');
    await dialog.getByRole('button', { name: 'Detach and discard' }).click();
    const dir = mkdtempSync(join(tmpdir(), 'le-e2e-'));
    const good = crawlerSeries().files[0];
    const cut = join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, readFileSync(good).subarray(0, 200_000));
    await page.getByLabel('Open snapshot files', { exact: true }).setInputFiles(cut);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/SNAPSHOT_TRUNCATED.*The snapshot ends after \d+ bytes.*Take or copy it again/s);
    await shot(page, '8-corrupt-file');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByLabel('Open snapshot files', { exact: true }).setInputFiles(good);
    await page.getByRole('table', { name: 'Type summary' }).getByRole('row').filter({ hasText: 'HtmlResponse' }).first().waitFor({ timeout: 30_000 });
    expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('refuses requests and sockets without the token, and listens on loopback only', async () => {
    const plain = await fetch(`${shell.origin}/`);
    expect(plain.status).toBe(401);
    const asset = await fetch(`${shell.origin}/assets/`);
    expect(asset.status).toBe(401);
    const wrong = await fetch(`${shell.origin}/?token=wrong`);
    expect(wrong.status).toBe(401);
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${shell.origin.replace('http', 'ws')}/ws`, { headers: { origin: shell.origin } });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(403);
    // With the token but from another origin: refused too.
    const token = new URL(shell.url).searchParams.get('token') as string;
    const foreign = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${shell.origin.replace('http', 'ws')}/ws?token=${token}`, { headers: { origin: 'http://evil.example' } });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect(foreign).toBe(403);
    const port = Number(new URL(shell.url).port);
    const listening = read('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((parts) => parts[3] === '0A' && parseInt(parts[1]?.split(':')[1] ?? '0', 16) === port)
      .map((parts) => parts[1].split(':')[0]);
    expect(listening).toEqual(['0100007F']);
    const v6 = read('/proc/net/tcp6', 'utf8').split('\n').filter((line) => line.includes(`:${port.toString(16).toUpperCase().padStart(4, '0')} `) && line.includes(' 0A '));
    expect(v6).toEqual([]);
  });
});
