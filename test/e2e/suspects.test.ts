// Leak suspects and the folded retainer graph, in a real browser against the web shell and the demo crawler,
// clicking as a person would: two snapshots give a tentative suspect, three confirm `Scheduler.queue`
// holding responses through `cbKwargs.referer`; the suspect opens its retainer graph; the oldest response's
// graph opens fitted with the referer chain folded into one `× N` node, which a click draws object by object
// and "Fold chains" folds again. Screenshots of both views, light and dark, land in test-results/screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../fixtures/fixtures.ts';
import { contrastFailures, shot, startShell, type Shell, openPage } from './browser.ts';

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

/** No text below WCAG AA contrast, in both themes (the theme is left as it was). */
async function checkContrast(where: string): Promise<void> {
  for (const theme of ['light', 'dark']) {
    expect(await contrastFailures(page), `${where}, ${theme}`).toEqual([]);
    await page.getByRole('button', { name: 'Switch theme' }).click();
  }
}

async function shots(name: string): Promise<void> {
  await shot(page, `${name}-light`);
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await shot(page, `${name}-dark`);
  await page.getByRole('button', { name: 'Switch theme' }).click();
}

/** Takes a snapshot from the Session tab and waits until the session lists it as number `n`. */
async function takeSnapshot(n: number): Promise<void> {
  await page.getByRole('tab', { name: 'Session' }).click();
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  await page.getByRole('cell', { name: String(n), exact: true }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Take snapshot' }).waitFor();
}

/** Every node box of the retainer graph lies inside the graph's view. */
async function expectFitted(): Promise<number> {
  const svg = page.getByRole('img', { name: /^Retainer graph of @/ });
  const view = (await svg.boundingBox()) as { x: number; y: number; width: number; height: number };
  // The group node's stacked back box is drawn out of its box by a few px on purpose: measure each node's main box.
  const boxes = await page.locator('.graph-host .node > rect:not(.stack)').evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().toJSON() as DOMRect));
  for (const box of boxes) {
    expect(box.left).toBeGreaterThanOrEqual(view.x - 0.5);
    expect(box.top).toBeGreaterThanOrEqual(view.y - 0.5);
    expect(box.right).toBeLessThanOrEqual(view.x + view.width + 0.5);
    expect(box.bottom).toBeLessThanOrEqual(view.y + view.height + 0.5);
  }
  return boxes.length;
}

describe('leak suspects and the folded graph, on the demo crawler', () => {
  it('shows no Suspects tab before a series, a tentative suspect after two snapshots', async () => {
    await page.goto(shell.url);
    await page.getByRole('table', { name: 'Processes' }).getByRole('row').nth(1).waitFor({ timeout: 30_000 });
    await shots('v-targets');
    await page.getByRole('button', { name: '▶ Try the demo' }).click();
    await page.getByTestId('count-HtmlResponse').waitFor({ timeout: 20_000 });
    await takeSnapshot(1);
    await expect(page.getByRole('tab', { name: 'Suspects' }).count()).resolves.toBe(0);
    // Time for the crawler to queue more requests than it downloads.
    await page.waitForTimeout(3000);
    await takeSnapshot(2);
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs[0]).toBe('Suspects');
    await page.getByRole('tab', { name: 'Suspects' }).click();
    const first = page.getByRole('article', { name: /^Suspect 1: / });
    await first.waitFor({ timeout: 60_000 });
    await expect(first.getByText('tentative', { exact: true }).count()).resolves.toBe(1);
  });

  it('names Scheduler.queue and cbKwargs.referer after three snapshots, no longer tentative, with the path folded', async () => {
    await page.waitForTimeout(3000);
    await takeSnapshot(3);
    await page.getByRole('tab', { name: 'Suspects' }).click();
    const suspect = page.getByRole('article', { name: 'Suspect 1: Scheduler.queue' });
    await suspect.waitFor({ timeout: 60_000 });
    const text = (await suspect.textContent()) ?? '';
    expect(text).toContain('Scheduler.queue');
    expect(text).toContain('cbKwargs.referer');
    expect(text).toMatch(/grows by [\d,]+ Requests?\b/);
    await expect(page.getByText('tentative: 2 snapshots').count()).resolves.toBe(0);
    await expect(suspect.getByText('tentative', { exact: true }).count()).resolves.toBe(0);
    // The path from a held response to the root: the referer chain is one boxed segment × N.
    const path = suspect.getByLabel('Retainer path of suspect 1');
    const fold = path.locator('.fold').first();
    await expect(fold.textContent()).resolves.toMatch(/\.referer.*× \d+/s);
    expect(Number(/× (\d+)/.exec((await fold.textContent()) ?? '')?.[1])).toBeGreaterThanOrEqual(2);
    await expect(path.textContent()).resolves.toContain('.queue');
    await checkContrast('suspects');
    await shots('v-suspects');
  });

  it('opens a suspect’s retainer graph on its representative object', async () => {
    const suspect = page.getByRole('article', { name: 'Suspect 1: Scheduler.queue' });
    const first = suspect.getByLabel('Retainer path of suspect 1').getByRole('button').first();
    const representative = /@(\d+)/.exec((await first.getAttribute('title')) ?? '')?.[1];
    expect(Number(representative)).toBeGreaterThan(0);
    await suspect.getByRole('button', { name: 'Open its retainer graph' }).click();
    const svg = page.getByRole('img', { name: new RegExp(`^Retainer graph of @${representative}:`) });
    await svg.waitFor({ timeout: 60_000 });
    await expect(page.getByRole('tab', { name: 'Retainers', exact: true }).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.locator('.graph-host .node.target').getAttribute('data-node-id')).resolves.toBe(representative);
    await page.getByRole('table', { name: 'Retainers tree' }).getByRole('row').nth(2).waitFor();
  });

  it('opens the oldest response’s graph fitted, its referer chain folded into × N, which a click expands and Fold chains folds back', async () => {
    await page.getByLabel('Class', { exact: true }).fill('HtmlResponse');
    await page.getByRole('button', { name: 'Oldest instance' }).click();
    await page.locator('[data-oldest-source]').waitFor({ timeout: 60_000 });
    const group = page.locator('.graph-host .node.group');
    await group.waitFor({ timeout: 60_000 });
    await expect(group.count()).resolves.toBe(1);
    const label = (await group.getAttribute('aria-label')) ?? '';
    expect(label).toMatch(/HtmlResponse/);
    expect(label).toMatch(/Request/);
    const repeat = Number(/× (\d+)/.exec(label)?.[1]);
    expect(repeat).toBeGreaterThanOrEqual(2);
    await expect(group.textContent()).resolves.toContain(`× ${repeat}`);
    // Fitted: every box in view, the object, the group and a GC root among them.
    expect(await expectFitted()).toBeGreaterThan(4);
    expect(await page.locator('.graph-host .node.root').count()).toBeGreaterThan(0);
    expect(await page.locator('.graph-host .node.target').count()).toBe(1);
    // The scheduler's queue is on screen beside the chain, not hundreds of boxes away.
    await expect(page.locator('.graph-host .node').filter({ hasText: 'Scheduler' }).count()).resolves.toBeGreaterThan(0);
    const folded = await page.locator('.graph-host .node').count();
    await page.locator('.graph-host .legend').waitFor();
    await checkContrast('folded graph');
    await shots('v-graph-folded');

    await group.click();
    await expect.poll(() => group.count(), { timeout: 30_000 }).toBe(0);
    const members = page.locator('.graph-host .node.unfolded');
    await expect.poll(() => members.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2 * repeat);
    expect(await page.locator('.graph-host .node').count()).toBeGreaterThan(folded);
    await expect(page.locator('.graph-host .node.unfolded').filter({ hasText: 'Request' }).count()).resolves.toBeGreaterThanOrEqual(repeat);
    // Re-fitted to the larger graph.
    await page.waitForFunction(() => document.querySelectorAll('.graph-host .node.unfolded').length > 0);
    await expectFitted();
    await shots('v-graph-unfolded');
    // It draws a bounded graph by default (80 objects, plus what an opened chain holds); asking for more
    // draws more, fitted again, and asking for less goes back.
    const drawn = page.locator('.graph-host .node');
    const atDefault = await drawn.count();
    await page.getByLabel('Objects drawn at most').selectOption('500');
    await expect.poll(() => drawn.count(), { timeout: 30_000 }).toBeGreaterThan(atDefault);
    await expectFitted();
    await page.getByLabel('Objects drawn at most').selectOption('80');
    await expect.poll(() => drawn.count(), { timeout: 30_000 }).toBe(atDefault);

    await page.getByRole('button', { name: 'Fold chains' }).click();
    await expect.poll(() => group.count(), { timeout: 30_000 }).toBe(1);
    await expect(page.locator('.graph-host .node.unfolded').count()).resolves.toBe(0);

    // Without the tree beside it, the graph takes the whole width and fits again, larger.
    const svg = page.getByRole('img', { name: /^Retainer graph of @/ });
    const narrow = (await svg.boundingBox())?.width ?? 0;
    const boxWidth = async () => (await page.locator('.graph-host .node.target > rect').boundingBox())?.width ?? 0;
    const before = await boxWidth();
    await page.getByLabel('Retainers tree').getByRole('button', { name: 'Hide' }).click();
    await expect.poll(async () => (await svg.boundingBox())?.width ?? 0).toBeGreaterThan(narrow + 100);
    await expect.poll(boxWidth).toBeGreaterThan(before * 1.1);
    await expectFitted();
    await shots('v-graph-wide');
    await page.getByRole('button', { name: 'Show the Retainers tree' }).click();
    await page.getByRole('table', { name: 'Retainers tree' }).getByRole('row').nth(2).waitFor();
  });

  it('sorts and filters the tables: statistics by size, the session’s snapshots by objects, with grouped counts', async () => {
    /** The numbers of a table's column, as shown (grouped digits and units read back as bytes). */
    const sizes = async (table: string, column: number) =>
      (await page.getByRole('table', { name: table }).locator(`tbody tr td:nth-child(${column})`).allTextContents()).map((text) => {
        const m = /([\d.,]+)\s*(B|KiB|MiB|GiB)?/.exec(text.replace(/\u00a0/g, ' '));
        const scale = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[(m?.[2] ?? 'B') as 'B'] ?? 1;
        return Number((m?.[1] ?? '0').replace(/,/g, '')) * scale;
      });
    await page.getByRole('tab', { name: 'Statistics' }).click();
    const stats = page.getByRole('table', { name: 'Statistics' });
    await stats.getByRole('row').nth(3).waitFor({ timeout: 60_000 });
    await stats.getByRole('columnheader', { name: /^Size/ }).click();
    const desc = await sizes('Statistics', 2);
    expect(desc.length).toBeGreaterThan(3);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await stats.getByRole('columnheader', { name: /^Size/ }).click();
    const asc = await sizes('Statistics', 2);
    expect(asc).toEqual([...desc].reverse());
    await page.getByLabel('Filter Statistics').fill('string');
    await expect(stats.locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('Strings')]);

    await page.getByRole('tab', { name: 'Session' }).click();
    const snapshots = page.getByRole('table', { name: 'Snapshots' });
    await expect(snapshots.locator('tbody tr').count()).resolves.toBe(3);
    await snapshots.getByRole('columnheader', { name: /^Objects/ }).click();
    // Largest first: the heap grew, so the last snapshot leads; object counts are grouped (61,318).
    const firstRow = (await snapshots.locator('tbody tr').first().textContent()) ?? '';
    expect(firstRow.startsWith('3')).toBe(true);
    expect(firstRow).toMatch(/\d{1,3},\d{3}/);
    await page.getByLabel('Filter Snapshots').fill('#2');
    await expect(snapshots.locator('tbody tr').count()).resolves.toBe(1);
    await page.getByLabel('Filter Snapshots').fill('');
    await shots('v-session');
    await page.getByRole('tab', { name: 'Diff & growth' }).click();
    await page.getByRole('table').first().getByRole('row').nth(2).waitFor({ timeout: 60_000 });
    await page.getByText(/\d+ class(es)? only grew/).waitFor({ timeout: 60_000 });
    await shots('v-diff');
    expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

describe('a healthy program’s series, opened as files', () => {
  it('lands on Suspects, which finds none and says what a suspect needs', async () => {
    // A bounded LRU cache, a pool, warm-up growth that levels off and a steady state: four snapshots of one process.
    const { files } = scenario('healthy-series', ['2000', '4']);
    const fresh = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await fresh.goto(shell.url);
      await fresh.getByLabel('Open snapshot files', { exact: true }).setInputFiles(files);
      await expect.poll(() => fresh.getByRole('tab', { name: 'Suspects' }).getAttribute('aria-selected'), { timeout: 120_000 }).toBe('true');
      // The files load one after another: the view answers for each series, the last one for all four.
      const panel = fresh.getByLabel('Leak suspects');
      await expect.poll(async () => (await panel.textContent()) ?? '', { timeout: 120_000 }).toContain('4 snapshots · 3 intervals');
      await fresh.getByRole('heading', { name: 'No suspects' }).waitFor({ timeout: 60_000 });
      const text = (await panel.textContent()) ?? '';
      expect(text).toContain('Nothing grew in every one of the 3 intervals');
      expect(text).toMatch(/at least 10 in all/);
      expect(text).toMatch(/three or more confirm/);
      await expect(fresh.getByRole('article').count()).resolves.toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
