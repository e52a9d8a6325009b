// Reports, end to end: `watch` on a real leaking process started without --inspect, `report` from files,
// the JSON checked against the published JSON Schema, the HTML opened from file:// in Chromium (no errors,
// no requests), and a heap full of hostile strings that must render as text, or not at all when redacted.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportJsonSchema } from '../../../src/main/report/schema.ts';
import { ROOT, scenario } from '../../fixtures/fixtures.ts';
import { killTargets, startPlainLeak } from '../../fixtures/targets.ts';
import { launchBrowser, shot } from '../../e2e/browser.ts';
import { cli } from '../cli/cli.ts';

const schemaFile = JSON.parse(readFileSync(join(ROOT, 'resources', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schemaFile);
const dir = mkdtempSync(join(tmpdir(), 'le-report-'));
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await killTargets();
});

/** Opens an HTML file in Chromium and returns what it tried to load and what it logged. */
async function openInBrowser(file: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForTimeout(300);
  await shot(page, screenshot);
  const facts = await page.evaluate(() => ({
    pwned: (globalThis as { pwned?: unknown }).pwned ?? null,
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
    handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    svgs: document.querySelectorAll('svg').length,
    text: document.body.innerText,
  }));
  await page.close();
  return { requests, errors, ...facts };
}

describe('reports', () => {
  it('the committed JSON Schema is the one the code defines', () => {
    expect(schemaFile).toEqual(JSON.parse(JSON.stringify(reportJsonSchema())));
  });

  it('watch writes HTML, JSON and Markdown for a plain `node app.js` that leaks, and leaves it running', async () => {
    const target = await startPlainLeak();
    const html = join(dir, 'watch.html');
    const json = join(dir, 'watch.json');
    const md = join(dir, 'watch.md');
    const run = cli(['watch', '--pid', String(target.pid), '--snapshots', '2', '--interval', '3', '--report', html, '--json', json, '--markdown', md, '--fail-on-leak']);
    // --fail-on-leak: a suspect was found, so the status is 3 (for CI), and the reports are written all the same.
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/^`SessionCache\.sessions` grows by \d+ `Session`s/m);
    expect(run.stdout.trim().split('\n')).toEqual([html, json, md]);
    expect(run.stderr).toMatch(/Snapshot 1\/2/);
    expect(target.alive()).toBe(true);
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data.headline.className).toBe('Session');
    // The headline is the top leak suspect's (tentative with two snapshots).
    expect(data.headline.text).toMatch(/^`SessionCache\.sessions` grows by \d+ `Session`s .*Tentative: two snapshots/);
    expect(data.suspects[0]).toMatchObject({ rank: 1, rule: 'array-elements', leakingEdge: { ownerClassName: 'SessionCache', edgeName: 'sessions' }, classNames: ['Session'] });
    expect(data.headline.suspects[0]).toBe(data.suspects[0].headline);
    expect(data.target).toMatchObject({ pid: target.pid, nodeVersion: process.version });
    expect(data.snapshots).toHaveLength(2);
    expect(data.onlyGrew).toContain('Session');
    expect(data.liveRefs.find((r: { className: string }) => r.className === 'Session').ageIsLowerBound).toBe(true);
    expect(data.retainers.paths[0].map((s: { edgeName: string }) => s.edgeName)).toEqual(expect.arrayContaining(['sessions', 'cache']));
    expect(data.origin).toMatch(/^leak-explorer watch --pid \d+ --snapshots 2 --interval 3/);
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toMatch(/^## Leak report: Session\n\n\*\*\S*SessionCache\.sessions\S* grows by \d+/);
    expect(markdown).toMatch(/Session @\d+ {2}held by \[\d+\] of\nArray @\d+ {2}held by \.sessions of\nSessionCache @\d+ {2}held by \.cache of/);
    const page = await openInBrowser(html, 'report-watch');
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(html).href]);
    expect(page.text).toMatch(/`SessionCache\.sessions` grows by \d+ `Session`s/);
    expect(page.text).toMatch(/Why the oldest Session is alive/);
    expect(page.svgs).toBeGreaterThanOrEqual(3); // diff chart, growth chart, retainer graph
  });

  it('renders hostile heap strings as text: nothing runs, nothing loads, Markdown cannot format', async () => {
    const hostile = scenario('hostile-strings') as { files: string[]; className: string; key: string };
    const html = join(dir, 'hostile.html');
    const md = join(dir, 'hostile.md');
    const json = join(dir, 'hostile.json');
    const run = cli(['report', ...hostile.files, '-o', html, '--markdown', md, '--json', json, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toContain('<script');
    expect(text).not.toContain('<img');
    expect(text).toContain('Evil&quot;&gt;&lt;img src=x onerror=&quot;globalThis.pwned=1&quot;&gt;');
    const page = await openInBrowser(html, 'report-hostile');
    expect(page).toMatchObject({ pwned: null, scripts: 0, images: 0, handlers: 0, errors: [] });
    expect(page.requests).toEqual([pathToFileURL(html).href]);
    // The hostile class is what grew, and the report says so, as text.
    expect(page.text).toContain(`grows by 100 \`${hostile.className}\` objects`);
    expect(page.text).toContain(hostile.key.slice(0, 30));
    const markdown = readFileSync(md, 'utf8');
    // Outside code fences nothing may format or inject; inside one, CommonMark shows text as text, and no
    // line of heap text may close the fence early.
    const fences = markdown.split('\n').filter((line) => /^\s*(~~~|```)/.test(line));
    expect(fences).toEqual(['~~~', '~~~']);
    const prose = markdown.replace(/~~~[\s\S]*?~~~/g, '');
    expect(prose).not.toMatch(/<script|<img|\]\(javascript:/);
    // A key that is not an identifier reads as a bracketed string, as one would write it in JavaScript.
    expect(markdown).toContain('held by ["</td></table><script>globalThis.pwned=3</script>|');
    expect(markdown).toContain('Evil&quot;&gt;&lt;img src=x onerror=&quot;globalThis.pwned=1&quot;&gt;');
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data.headline.className).toBe(hostile.className);
  });

  it('--redact-strings keeps heap text out of every format', async () => {
    const hostile = scenario('hostile-strings') as { files: string[]; className: string; key: string };
    const html = join(dir, 'redacted.html');
    const md = join(dir, 'redacted.md');
    const json = join(dir, 'redacted.json');
    const run = cli(['report', ...hostile.files, '-o', html, '--markdown', md, '--json', json, '--redact-strings', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    for (const file of [html, md, json]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('pwned');
      expect(text, file).not.toContain('onerror');
      expect(text, file).toMatch(/⟨string: \d+ chars #[0-9a-f]{6}⟩/);
    }
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(data.redacted).toBe(true);
    expect(data.headline.className).toBe(`⟨string: ${hostile.className.length} chars #${data.headline.className.slice(-7, -1)}⟩`);
    // Code-like names stay readable.
    expect(data.summary.map((r: { className: string }) => r.className)).toEqual(expect.arrayContaining(['(string)', 'Array', 'system / Context']));
    expect(validate(data)).toBe(true);
    expect(existsSync(html)).toBe(true);
  });
});
