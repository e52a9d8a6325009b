// The app (web shell, in Debian's Chromium) attached by PID to a real Scrapy 2.8 spider, a plain
// `python3 spider.py` with no agent: the same screens as for Node, through the same service path. A person
// picks the spider on the targets screen, sees HtmlResponse in the live refs with trackref's ages, takes a
// snapshot, asks why the oldest response is alive and reads referer and cb_kwargs on its path, asks the
// console, and detaches, leaving the spider crawling with nothing of ours in it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/fixtures.ts';
import { shot, startShell, type Shell, openPage } from './browser.ts';

const AGENT_FOLDER = join(tmpdir(), `leak-explorer-${process.getuid?.()}`);

let shell: Shell;
let browser: Browser;
let page: Page;
let spider: ChildProcess;
let out = '';
const pageErrors: string[] = [];
const crawled = () => Number(/crawled (\d+)\n(?![\s\S]*crawled)/.exec(out)?.[1] ?? 0);

beforeAll(async () => {
  spider = spawn('/usr/bin/python3', [join(ROOT, 'test', 'fixtures', 'python', 'referer_spider.py'), '--forever'], { stdio: ['ignore', 'pipe', 'pipe'] });
  spider.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  shell = await startShell();
  ({ browser, page } = await openPage(pageErrors));
  while (crawled() < 10) {
    if (spider.exitCode !== null) throw new Error(`the spider exited: ${out}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  spider?.kill('SIGKILL');
});

describe('the app attached to a Python process by PID', () => {
  it('lists the spider among the processes and attaches to it: live refs with trackref ages', async () => {
    await page.goto(shell.url);
    const row = page.getByRole('row').filter({ hasText: 'referer_spider.py' }).filter({ hasText: String(spider.pid) });
    await row.waitFor({ timeout: 20_000 });
    await expect(row.textContent()).resolves.toMatch(/lldb will inject the agent/);
    // Its runtime is named in its row, as ps names it.
    await expect(row.textContent()).resolves.toMatch(/python 3\.\d+/);
    await row.getByRole('button', { name: 'Attach' }).click();
    await page.getByTestId('count-HtmlResponse').waitFor({ timeout: 60_000 });
    const count = Number((await page.getByTestId('count-HtmlResponse').textContent())?.replace(/\D/g, ''));
    expect(count).toBeGreaterThanOrEqual(10);
    await expect(page.getByText('Exact ages from the trackref module in the target.').isVisible()).resolves.toBe(true);
    // Its instances, read live from the process: the oldest response's URL.
    await page.getByRole('row').filter({ hasText: 'HtmlResponse' }).first().click();
    await page.getByText(/^"http:\/\/127\.0\.0\.1:\d+\/page\/0"$/).first().waitFor({ timeout: 30_000 });
    await shot(page, 'python-1-live-refs');
  }, 120_000);

  it('takes a snapshot and explains the oldest response: referer, cb_kwargs, the request', async () => {
    await page.getByRole('tab', { name: 'Session' }).click();
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await page.getByRole('cell', { name: '1', exact: true }).waitFor({ timeout: 120_000 });
    await page.getByRole('tab', { name: 'Live refs' }).click();
    await page.getByRole('row').filter({ hasText: 'HtmlResponse' }).first().click();
    await page.getByRole('button', { name: 'Why is the oldest alive?' }).click();
    const path = page.getByLabel('Shortest retainer path');
    await path.waitFor({ timeout: 60_000 });
    // The panel may first show the answer for the object it had (the oldest is looked up, then its path).
    await expect.poll(() => path.textContent(), { timeout: 60_000 }).toMatch(/HtmlResponse ←\.referer— dict ←\._cb_kwargs— Request/);
    const hot = page.locator('.graph-host .edge.hot text');
    // A fitted graph below 0.3× draws no labels (they would be under 4 px): they are in the drawing, and at
    // actual size (Reset) they are painted.
    await hot.first().waitFor({ state: 'attached' });
    expect(await hot.allTextContents()).toEqual(expect.arrayContaining(['.referer', '._cb_kwargs']));
    await page.getByRole('button', { name: 'Reset' }).click();
    await hot.first().waitFor();
    await shot(page, 'python-2-retainers');
  }, 180_000);

  it('evaluates Python in the console with get_oldest()', async () => {
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByLabel('Expression').fill("get_oldest('HtmlResponse').url");
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Console output').getByText(/^http:\/\/127\.0\.0\.1:\d+\/page\/0$/).waitFor({ timeout: 30_000 });
    await shot(page, 'python-3-console');
  });

  it('detaches, and the spider crawls on with nothing of the agent left', async () => {
    await page.getByRole('button', { name: 'Detach' }).click();
    // It holds a snapshot, so the app asks first.
    await page.getByRole('alertdialog', { name: 'Close the workspace' }).getByRole('button', { name: 'Detach and discard' }).click();
    for (let waited = 0; existsSync(join(AGENT_FOLDER, `py-${spider.pid}.sock`)) && waited < 10_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
    expect(existsSync(join(AGENT_FOLDER, `py-${spider.pid}.sock`))).toBe(false);
    const before = crawled();
    for (let waited = 0; crawled() <= before + 3 && waited < 20_000; waited += 200) await new Promise((done) => setTimeout(done, 200));
    expect(crawled()).toBeGreaterThan(before + 3);
    expect(spider.exitCode).toBeNull();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
