// The Allocations view on a live leaking target, in a real browser through the web shell: a plain
// `node remember-app.js` is attached by PID, sampling starts (no snapshot), and the flame graph and the
// growth table name remember() with its file and line. The target keeps running throughout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/fixtures.ts';
import { killTargets, startTarget, type Target } from '../fixtures/targets.ts';
import { shot, startShell, type Shell, openPage } from './browser.ts';

const APP = join(ROOT, 'test', 'fixtures', 'targets', 'remember-app.js');
const REMEMBER_LINE = readFileSync(APP, 'utf8').split('\n').findIndex((line) => line.includes('function remember(')) + 1;

let shell: Shell;
let browser: Browser;
let page: Page;
let target: Target;
const pageErrors: string[] = [];

beforeAll(async () => {
  target = await startTarget([APP]);
  shell = await startShell();
  ({ browser, page } = await openPage(pageErrors));
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  await killTargets();
});

describe('the Allocations view', () => {
  it('samples a live leaking target (saying it takes no snapshot) and names remember() in the flame graph and the growth table', async () => {
    await page.goto(shell.url);
    const row = page.getByRole('row').filter({ hasText: String(target.pid) }).filter({ hasText: 'remember-app.js' });
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Attach' }).click();
    await page.getByRole('tab', { name: 'Allocations' }).click();
    await expect(page.getByRole('note').textContent()).resolves.toMatch(/no heap snapshot and never freezes the target/);
    await page.getByRole('button', { name: 'Start sampling' }).click();
    // A few polls (one every 2 s) give the growth in every interval.
    const flame = page.getByRole('img', { name: 'Flame graph of live sampled bytes by allocation stack' });
    const rememberCell = flame.locator('g.flame-cell[data-function="remember"]');
    await rememberCell.first().waitFor({ timeout: 30_000 });
    await expect(rememberCell.first().locator('text').textContent()).resolves.toContain(`remember remember-app.js:${REMEMBER_LINE}`);
    const sites = page.getByRole('table', { name: 'Allocation sites' });
    const growing = sites.getByRole('row').filter({ hasText: 'every interval' });
    await growing.first().waitFor({ timeout: 30_000 });
    await expect(growing.first().textContent()).resolves.toContain(`remember-app.js:${REMEMBER_LINE}`);
    // Remember grew between the first and the last sample: its cell is coloured as growing (orange, not grey).
    await expect(rememberCell.first().locator('rect').getAttribute('fill')).resolves.toMatch(/^hsl\((1[4-9]|2\d)(\.\d+)? 88%/);
    await shot(page, 'allocations-1-flame');
    // Clicking a frame zooms into it and names it, with its full location, below the graph.
    await rememberCell.first().click();
    await expect(page.getByLabel('Selected frame').textContent()).resolves.toContain(`remember file://${APP}:${REMEMBER_LINE}:`);
    await page.getByRole('button', { name: 'Show all stacks' }).click();

    // The web shell has no editor: it offers the path to copy instead.
    await growing.first().getByRole('button', { name: 'Open remember in the editor' }).click();
    await expect(page.getByRole('textbox', { name: 'Location to copy' }).inputValue()).resolves.toBe(`${APP}:${REMEMBER_LINE}:${await rememberColumn()}`);

    await page.getByRole('button', { name: 'Stop sampling' }).click();
    await page.getByRole('button', { name: 'Sample again' }).waitFor();
    // The time slider, once stopped: the last sample compared with itself shows no growth, so nothing is
    // orange; the first compared with the last shows remember's growth again.
    const earlier = page.getByRole('slider', { name: 'Earlier sample' });
    const last = (await earlier.getAttribute('max')) as string;
    await earlier.fill(last);
    await page.getByText('one sample: nothing to compare yet').waitFor({ timeout: 10_000 });
    await expect(rememberCell.first().locator('rect').getAttribute('fill')).resolves.toBe('hsl(215 18% 78%)');
    await shot(page, 'allocations-2-same-sample');
    await earlier.fill('0');
    await page.getByText(/orange stacks grew/).waitFor({ timeout: 10_000 });
    await expect(rememberCell.first().locator('rect').getAttribute('fill')).resolves.toMatch(/^hsl\((1[4-9]|2\d)(\.\d+)? 88%/);
    expect(pageErrors).toEqual([]);
    expect(target.alive()).toBe(true);
  });
});

/** The column V8 gives remember's frame, read from the growth table's tooltip. */
async function rememberColumn(): Promise<number> {
  const title = await page.getByRole('table', { name: 'Allocation sites' }).getByRole('row').filter({ hasText: 'every interval' }).first().locator('[title]').first().getAttribute('title');
  return Number(/:(\d+)$/.exec((title ?? '').split('\n')[0])?.[1]);
}
