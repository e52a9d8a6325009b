// A process whose leak lives in a worker thread, hunted in the app in a real browser: attach, see its
// workers on the Session screen, open the leaking one, snapshot it, and find WorkerJob in its type summary.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/fixtures.ts';
import { killTargets, startTarget, type Target } from '../fixtures/targets.ts';
import { shot, startShell, type Shell, openPage } from './browser.ts';

let shell: Shell;
let browser: Browser;
let page: Page;
let target: Target;
const pageErrors: string[] = [];

beforeAll(async () => {
  // Its inspector is open from the start, on a free port: no signal is needed to attach.
  target = await startTarget(['--inspect=127.0.0.1:0', join(ROOT, 'test', 'fixtures', 'targets', 'worker-leak.mjs')]);
  shell = await startShell();
  ({ browser, page } = await openPage(pageErrors));
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  await killTargets();
});

describe('worker threads in the app', () => {
  it('lists the workers of an attached process, opens the leaking one, and finds WorkerJob in its snapshot', async () => {
    await page.goto(shell.url);
    const row = page.getByRole('row').filter({ hasText: String(target.pid) }).filter({ hasText: 'worker-leak.mjs' });
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Attach' }).click();
    // The app starts with the main thread's live refs: its own class, and not the worker's.
    await page.getByTestId('count-MainTicket').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('count-WorkerJob').count()).resolves.toBe(0);
    await page.getByRole('tab', { name: 'Session' }).click();
    const workers = page.locator('.panel').filter({ has: page.getByRole('heading', { name: 'Worker threads' }) });
    const jobs = workers.getByRole('row').filter({ hasText: /\[worker \d+\] jobs/ });
    await jobs.waitFor({ timeout: 30_000 });
    await expect(workers.getByRole('row').filter({ hasText: /\[worker \d+\] idle/ }).count()).resolves.toBe(1);
    await shot(page, 'workers-1-list');
    await jobs.getByRole('button', { name: /^Open worker \d+$/ }).click();
    await page.getByText(/^worker \d+ of the process \(its own heap\)$/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await page.getByRole('cell', { name: '1', exact: true }).waitFor({ timeout: 90_000 });
    await page.getByRole('tab', { name: 'Type summary' }).click();
    await page.getByRole('row').filter({ hasText: 'WorkerJob' }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'workers-2-summary');
    expect(pageErrors).toEqual([]);
    expect(target.alive()).toBe(true);
  });
});
