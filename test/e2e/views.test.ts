// The views a DevTools or MAT user looks for, in a real browser against the web shell and the demo crawler,
// clicking as a person would: the retainer graph of the oldest response opens fitted (every node inside the
// view), the oldest is trackref's getOldest(), the Retainers tree and the Dominators view lead to the
// scheduler's queue, closing a snapshot never leaves its rows on screen, the console prints prefs() as lines,
// and every text meets WCAG AA contrast in both themes. Screenshots of each view, light and dark, land in
// test-results/screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlerSeries } from '../fixtures/fixtures.ts';
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

/** Screenshots of the current view in both themes; the theme is left as it was. */
async function shots(name: string): Promise<void> {
  await shot(page, `${name}-light`);
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await shot(page, `${name}-dark`);
  await page.getByRole('button', { name: 'Switch theme' }).click();
}

async function checkContrast(where: string): Promise<void> {
  for (const theme of ['light', 'dark']) {
    const failures = await contrastFailures(page);
    expect(failures, `${where}, ${theme}`).toEqual([]);
    await page.getByRole('button', { name: 'Switch theme' }).click();
  }
}

describe('the views DevTools and MAT users expect, on the demo crawler', () => {
  let oldestId = 0;

  it('tries the demo and reads the oldest response in the live refs: the one getOldest() returns', async () => {
    await page.goto(shell.url);
    await page.getByRole('button', { name: '▶ Try the demo' }).click();
    await page.getByTestId('count-HtmlResponse').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(2500);
    // A snapshot first: V8 gives live objects their heap ids when a snapshot meets them.
    await page.getByRole('tab', { name: 'Session' }).click();
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await page.getByRole('cell', { name: '1', exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Live refs' }).click();
    await page.getByRole('table', { name: 'Live references' }).getByRole('row').filter({ hasText: 'HtmlResponse' }).first().click();
    // The first instance listed is trackref's oldest (iterAll order), which is what getOldest() returns.
    const first = page.getByTestId('instance').first();
    await first.waitFor();
    oldestId = Number((await first.getAttribute('data-node-id')) ?? 0);
    expect(oldestId).toBeGreaterThan(0);
    await checkContrast('live refs');
    await shots('v-live-refs');
  });

  it('opens the graph of the oldest response fitted: every node inside the view, the object and a root marked', async () => {
    await page.getByRole('button', { name: 'Why is the oldest alive?' }).click();
    const svg = page.getByRole('img', { name: /^Retainer graph of @/ });
    await svg.waitFor({ timeout: 60_000 });
    await expect(svg.getAttribute('aria-label')).resolves.toContain(`@${oldestId}:`);
    await expect(page.locator('[data-oldest-source]').getAttribute('data-oldest-source')).resolves.toBe('trackref');
    await page.locator('.graph-host .node.target').waitFor();
    const view = (await svg.boundingBox()) as { x: number; y: number; width: number; height: number };
    const boxes = await page.locator('.graph-host .node rect').evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().toJSON() as DOMRect));
    expect(boxes.length).toBeGreaterThan(5);
    for (const box of boxes) {
      expect(box.left).toBeGreaterThanOrEqual(view.x - 0.5);
      expect(box.top).toBeGreaterThanOrEqual(view.y - 0.5);
      expect(box.right).toBeLessThanOrEqual(view.x + view.width + 0.5);
      expect(box.bottom).toBeLessThanOrEqual(view.y + view.height + 0.5);
    }
    expect(await page.locator('.graph-host .node.root').count()).toBeGreaterThan(0);
    await expect(page.locator('.graph-host .node.target').getAttribute('data-node-id')).resolves.toBe(String(oldestId));
    await page.getByRole('table', { name: 'Retainers tree' }).getByRole('row').nth(3).waitFor();
    await shots('v-graph-fitted');
  });

  it('keeps every node in place when weak edges are shown, and pans to a path step when it is clicked', async () => {
    const positions = () => page.locator('.graph-host .node').evaluateAll((nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-node-id'), n.getAttribute('transform')])));
    const before = await positions();
    await page.getByLabel('Show weak edges').check();
    await page.waitForFunction((count) => document.querySelectorAll('.graph-host .node').length !== count || document.querySelectorAll('.graph-host .edge.weak').length > 0, Object.keys(before).length, { timeout: 10_000 }).catch(() => undefined);
    const after = await positions();
    for (const [id, transform] of Object.entries(before)) if (id in after) expect(after[id], `@${id}`).toBe(transform);
    await page.getByLabel('Show weak edges').uncheck();
    // The scheduler, on the path: clicking it centres the graph on its node.
    await page.getByLabel('Shortest retainer path').getByRole('button', { name: 'Scheduler' }).click();
    const node = page.locator('.graph-host .node').filter({ hasText: 'Scheduler' }).first();
    const view = (await page.getByRole('img', { name: /^Retainer graph of @/ }).boundingBox()) as { x: number; y: number; width: number; height: number };
    const box = (await node.boundingBox()) as { x: number; y: number; width: number; height: number };
    expect(Math.abs(box.x + box.width / 2 - (view.x + view.width / 2))).toBeLessThan(5);
    expect(Math.abs(box.y + box.height / 2 - (view.y + view.height / 2))).toBeLessThan(5);
    await page.getByRole('button', { name: 'Fit' }).click();
  });

  it('shows the retainers tree beside the graph, opened along the closest retainers to the scheduler queue', async () => {
    const tree = page.getByRole('table', { name: 'Retainers tree' });
    await tree.getByRole('row').filter({ hasText: 'Scheduler' }).first().waitFor({ timeout: 30_000 });
    const text = (await tree.textContent()) ?? '';
    expect(text).toMatch(/\.referer in/);
    expect(text).toMatch(/\.cbKwargs in Request/);
    expect(text).toMatch(/\.queue in Scheduler/);
    await checkContrast('retainers');
  });

  it('shows the dominator tree down to the scheduler queue, marked as the accumulation point', async () => {
    await page.getByRole('tab', { name: 'Session' }).click();
    await page.getByRole('tab', { name: 'Dominators' }).click();
    const tree = page.getByRole('table', { name: 'Dominator tree' });
    // From the root, the tree opens on the heap's accumulation point, whatever it is.
    await tree.locator('tr.accumulation').waitFor({ timeout: 30_000 });
    await shots('v-dominators');
    // As in MAT, from a suspect: the biggest Scheduler, down to where its retained size spreads out.
    await page.getByLabel('Suspect').fill('Scheduler');
    await page.getByRole('button', { name: 'Find its accumulation point' }).click();
    const point = tree.locator('tr.accumulation');
    await point.filter({ hasText: /Array/ }).waitFor({ timeout: 30_000 });
    // The queue is the Scheduler's array, right below it, holding the queued requests.
    const rows = await tree.getByRole('row').allTextContents();
    const at = rows.findIndex((r) => r.includes('accumulation point'));
    expect(rows[at]).toMatch(/^[▸▾]?\s*Array/);
    expect(rows[at - 1]).toContain('Scheduler');
    await point.locator('button.twisty').click();
    await tree.getByRole('row').filter({ hasText: 'Request' }).first().waitFor();
    await checkContrast('dominators');
    await shots('v-dominators-scheduler');
  });

  it('shows containment from the GC roots and the statistics by kind', async () => {
    await page.getByRole('tab', { name: 'Containment' }).click();
    const tree = page.getByRole('table', { name: 'Containment' });
    await tree.getByRole('row').nth(2).waitFor();
    await expect(tree.textContent()).resolves.toContain('(GC roots)');
    await shots('v-containment');
    await page.getByRole('tab', { name: 'Statistics' }).click();
    const table = page.getByRole('table', { name: 'Statistics' });
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    for (const kind of ['Code', 'Strings', 'JS arrays', 'Typed arrays', 'System objects']) expect(text).toContain(kind);
    await checkContrast('statistics');
    await shots('v-statistics');
  });

  it('prints prefs() in the console as lines of text', async () => {
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByLabel('Expression').fill('prefs()');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const out = page.getByLabel('Console output');
    await out.getByText(/HtmlResponse\s+\d+\s+oldest:/).first().waitFor();
    const text = (await out.innerText()) ?? '';
    expect(text).not.toContain('\\n');
    expect(text.split('\n').filter((line) => /^(Request|HtmlResponse|Selector)\s+\d+\s+oldest: \d+s ago$/.test(line.trim())).length).toBeGreaterThanOrEqual(2);
    await checkContrast('console');
    await shots('v-console');
  });

  it('never shows a closed snapshot: closing the one on screen shows the other, named above it', async () => {
    // A second snapshot, opened from a file in the same workspace: the crawler fixture's last, whose
    // HtmlResponse count is known.
    const fixture = crawlerSeries();
    await page.getByRole('tab', { name: 'Type summary' }).click();
    const table = page.getByRole('table', { name: 'Type summary' });
    const picker = page.getByLabel('Snapshot', { exact: true });
    const countOf = async () => Number(((await table.getByRole('row').filter({ hasText: /^HtmlResponse/ }).first().locator('.num').first().textContent()) ?? '').replace(/\D/g, ''));
    await table.getByRole('row').filter({ hasText: 'HtmlResponse' }).first().waitFor({ timeout: 30_000 });
    const live = await picker.inputValue();
    const liveCount = await countOf();
    expect(liveCount).not.toBe(fixture.downloaded);
    await page.getByLabel('Open snapshot files in this workspace').setInputFiles(fixture.files[2]);
    await expect.poll(() => picker.locator('option').count(), { timeout: 30_000 }).toBe(2);
    const options = await picker.locator('option').evaluateAll((list) => list.map((o) => (o as HTMLOptionElement).value));
    const fileId = options.find((value) => value !== live) as string;
    // Opening a file shows it (the summary follows the latest); look at the live snapshot again.
    await picker.selectOption(live);
    await expect.poll(countOf).toBe(liveCount);
    const position = options.indexOf(live) + 1;
    await page.getByRole('button', { name: `Close snapshot #${position}` }).click();
    await expect.poll(() => picker.inputValue()).toBe(fileId);
    await expect.poll(countOf).toBe(fixture.downloaded);
    await checkContrast('summary');
    await shots('v-summary');
    expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
