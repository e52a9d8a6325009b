// The app names code, not `Function`: in a real browser, the retainer path and graph of an upload buffer
// that a closure captured read `revalidateUpload() named-leaks.mjs:LINE`, and V8's internal edges read ‹…›.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, scenario } from '../fixtures/fixtures.ts';
import { shot, startShell, type Shell, openPage } from './browser.ts';

const [file] = scenario('named-leaks').files;
const source = readFileSync(join(ROOT, 'test', 'fixtures', 'scenarios', 'named-leaks.mjs'), 'utf8').split('\n');
const line = source.findIndex((text) => text.includes('const revalidateUpload = (')) + 1;

let shell: Shell;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  shell = await startShell([file]);
  ({ browser, page } = await openPage(pageErrors));
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
});

describe('names in the app', () => {
  it('shows the closure that holds a buffer by its name, file and line', async () => {
    await page.goto(shell.url);
    await page.getByRole('tab', { name: 'Retainers' }).click();
    await page.getByLabel('Class').fill('UploadBuffer');
    await page.getByRole('button', { name: 'Oldest instance' }).click();
    const path = page.getByLabel('Shortest retainer path');
    await path.waitFor({ timeout: 60_000 });
    const text = (await path.textContent()) ?? '';
    expect(text).toContain(`UploadBuffer ←->buffer— context of revalidateUpload() named-leaks.mjs:${line} ←‹context›— revalidateUpload() named-leaks.mjs:${line} ←[`);
    expect(text).not.toMatch(/Function/);
    // The graph's boxes are labelled by the function too (cut to the box), never as `Function`.
    const labels = page.locator('.graph-host .node text:first-of-type');
    await labels.first().waitFor({ state: 'attached' });
    const names = await labels.allTextContents();
    expect(names.some((name) => name.startsWith('revalidateUpload()'))).toBe(true);
    expect(names).not.toContain('Function');
    await shot(page, 'names-retainers');
    // Taken without allocation tracking: the path says how to get an allocation stack.
    await expect(path.locator('[data-allocation-stack="none"]').textContent()).resolves.toMatch(/Track allocations.*Allocations tab/);
    expect(pageErrors).toEqual([]);
  });

  it('shows where the object was allocated when the snapshots were taken with allocation tracking', async () => {
    const tracked = scenario('tracked-crawler-series', ['200', '3']).files;
    await page.getByRole('button', { name: '⌂ Targets' }).click();
    await page.getByRole('alertdialog', { name: 'Close the workspace' }).getByRole('button', { name: 'Close and discard' }).click();
    await page.getByLabel('Open snapshot files', { exact: true }).setInputFiles(tracked);
    // A series opened at once lands on its suspects, once all three files are in (each file loaded before
    // them turns to the Suspects view again); the first suspect names where the leaked requests are created.
    await page.getByText('3 snapshots · 2 intervals').waitFor({ timeout: 60_000 });
    await page.getByText('Created in').first().waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Retainers' }).click();
    await page.getByLabel('Class').fill('Request');
    await page.getByRole('button', { name: 'Oldest instance' }).click();
    const frames = page.getByLabel('Shortest retainer path').locator('[data-allocation-stack="frames"]');
    await frames.waitFor({ timeout: 60_000 });
    // The Request constructor in the demo crawler, at its line: the innermost frame.
    const crawler = readFileSync(join(ROOT, 'resources', 'demo', 'crawler.mjs'), 'utf8').split('\n');
    const constructorLine = crawler.findIndex((text) => /^export class Request\b/.test(text)) + 2;
    const first = (await frames.locator('div').first().textContent()) ?? '';
    expect(first).toMatch(new RegExp(`^Request crawler\\.mjs:${constructorLine}:\\d+ open$`));
    // Its place opens in the editor from here too; the web shell has none, so it offers the local path to copy.
    await frames.getByRole('button', { name: 'Open Request in the editor' }).first().click();
    await expect(page.getByLabel('Location to copy').inputValue()).resolves.toMatch(new RegExp(`/resources/demo/crawler\\.mjs:${constructorLine}:\\d+$`));
    await shot(page, 'names-allocation-stack');
    expect(pageErrors).toEqual([]);
  });
});
