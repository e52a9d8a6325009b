// The HTML report as a reader sees it, in Chromium: the retainer graph opens fitted (every node inside the
// SVG, the SVG inside the window) with the referer chain folded into a "× N" group; the suspects come in rank
// order with Scheduler.queue first; the charts plot the program's classes with labels that never overlap;
// and a real heap whose class and property are named `</svg><script>…` renders as text. Reports are made by
// the built CLI from real snapshot series (the demo crawler's, and a hostile chain's).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlerSeries, ROOT, scenario } from '../../fixtures/fixtures.ts';
import { launchBrowser, shot } from '../../e2e/browser.ts';
import { cli } from '../cli/cli.ts';

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'resources', 'report.schema.json'), 'utf8')));
const dir = mkdtempSync(join(tmpdir(), 'le-report-graph-'));
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Writes HTML, Markdown and JSON reports of a series with the CLI; the JSON must match the published schema. */
function report(name: string, files: string[]) {
  const html = join(dir, `${name}.html`);
  const md = join(dir, `${name}.md`);
  const json = join(dir, `${name}.json`);
  const run = cli(['report', ...files, '-o', html, '--markdown', md, '--json', json, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  const data = JSON.parse(readFileSync(json, 'utf8'));
  expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  return { html, markdown: readFileSync(md, 'utf8'), data };
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Opens a report at 1440×900, as a reader would, and scrolls to its retainer graph. */
async function open(file: string): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(pathToFileURL(file).href);
  await page.locator('#retainer-graph').scrollIntoViewIfNeeded();
  return { page, dialogs, errors };
}

/** The graph's boxes in the window: the SVG, and each node (its whole group, tag and stack included). */
function graphBoxes(page: Page, id = 'retainer-graph') {
  return page.evaluate((id) => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const svg = document.getElementById(id) as unknown as SVGSVGElement;
    return {
      window: { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight },
      svg: box(svg),
      nodes: [...svg.querySelectorAll('g.node')].map((g) => ({ classes: g.getAttribute('class') ?? '', title: g.querySelector('title')?.textContent ?? '', text: [...g.querySelectorAll(':scope > text')].map((t) => t.textContent).join(' | '), box: box(g) })),
    };
  }, id);
}

const inside = (inner: Box, outer: Box) => inner.left >= outer.left - 0.5 && inner.top >= outer.top - 0.5 && inner.right <= outer.right + 0.5 && inner.bottom <= outer.bottom + 0.5;
const intersects = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('the HTML report in Chromium', () => {
  it('opens the retainer graph fitted, with the object and its GC root in view', async () => {
    const { html, data } = report('crawler', crawlerSeries().files);
    const { page, errors } = await open(html);
    const { window, svg, nodes } = await graphBoxes(page);
    await shot(page, 'report-graph-fitted');
    await page.close();
    expect(errors).toEqual([]);
    // Fitted: the whole SVG is in the window, and every node's box lies inside the SVG.
    expect(inside(svg, window), JSON.stringify({ svg, window })).toBe(true);
    for (const node of nodes) expect(inside(node.box, svg), `${node.title} ${JSON.stringify(node.box)} outside ${JSON.stringify(svg)}`).toBe(true);
    const target = nodes.filter((n) => n.classes.includes('target'));
    const roots = nodes.filter((n) => n.classes.includes('root'));
    expect(target).toHaveLength(1);
    expect(target[0].title).toBe(`Request @${data.retainers.nodeId}`);
    expect(roots.length).toBeGreaterThanOrEqual(1);
    expect(roots.some((n) => n.title.startsWith('global @'))).toBe(true);
    // The graph is the engine's, folded as the app folds it (the object itself never folds): here the oldest
    // request sits one link from the queue, so no stretch repeats and every node is drawn.
    expect(nodes.length).toBe(data.retainerGraph.nodes.length);
    // The path above the graph is folded the same way.
    expect(readFileSync(html, 'utf8')).toMatch(/<li class="fold"><span class="repeat">× \d+<\/span>/);
  });

  it('lists the suspects in rank order, Scheduler.queue first, each with its edge, classes, growth, function and folded path, and draws the first one\'s graph with the referer chain folded', async () => {
    const { html, data, markdown } = report('crawler-suspects', crawlerSeries().files);
    expect(data.suspects.length).toBeGreaterThanOrEqual(1);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    const suspects = await page.locator('#suspects li.suspect').evaluateAll((items) =>
      items.map((li) => ({
        rank: li.getAttribute('data-rank'),
        headline: li.querySelector('.suspect-headline')?.textContent ?? '',
        facts: (li.querySelector('.facts') as HTMLElement).innerText,
        path: (li.querySelector('.path') as HTMLElement | null)?.innerText ?? '',
      })),
    );
    await page.close();
    // The sentences are the CLI's, in the engine's rank order.
    expect(suspects.map((s) => s.headline)).toEqual(data.suspects.map((s: { headline: string }) => s.headline));
    expect(suspects.map((s) => s.rank)).toEqual(data.suspects.map((_: unknown, i: number) => String(i + 1)));
    const [first] = suspects;
    expect(first.headline).toMatch(/^`Scheduler\.queue` grows by \d+ `Request`s/);
    expect(first.facts).toMatch(/Leaking edge\s+Scheduler\.queue \(Array, found by array-elements\)/);
    expect(first.facts).toMatch(/Classes\s+Request/);
    expect(first.facts).toMatch(/Growth\s+\+\d+ entries; \+[\d.]+ [KM]iB kept alive/);
    expect(first.facts).toMatch(/Each entry holds\s+HtmlResponse through cbKwargs\.referer/);
    expect(first.facts).toMatch(/Functions\s+callback\(\) crawler\.mjs:\d+:\d+ \(\d+\)/);
    expect(first.path).toMatch(/× \d+ these 3 steps, repeated \d+ times:\s+HtmlResponse @\d+ held by \.referer of\s+\{referer\} @\d+ held by \.cbKwargs of\s+Request @\d+ held by \.request of/);
    expect(first.path).toMatch(/Scheduler @\d+ held by \.scheduler of/);
    // The first suspect's graph: its object, the referer chain folded into one "× N" group, the queue and the
    // root, all inside the SVG, and the SVG inside the window once scrolled to.
    const graphPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await graphPage.goto(pathToFileURL(html).href);
    await graphPage.locator('#suspect-graph').scrollIntoViewIfNeeded();
    const graph = await graphBoxes(graphPage, 'suspect-graph');
    await shot(graphPage, 'report-suspect-graph');
    await graphPage.close();
    expect(inside(graph.svg, graph.window), JSON.stringify(graph.svg)).toBe(true);
    for (const node of graph.nodes) expect(inside(node.box, graph.svg), node.title).toBe(true);
    const chainGroups = graph.nodes.filter((n) => n.classes.includes('group'));
    expect(chainGroups).toHaveLength(1);
    expect(chainGroups[0].title).toMatch(/^\(\{referer\} ←\.cbKwargs— Request ←\.request— HtmlResponse ←\.referer—\) × \d+: \d+ objects folded$/);
    expect(graph.nodes.filter((n) => n.classes.includes('target'))[0].title).toBe(`HtmlResponse @${data.suspects[0].path[0].nodeId}`);
    expect(graph.nodes.some((n) => n.title.startsWith('Scheduler @'))).toBe(true);
    expect(graph.nodes.some((n) => n.classes.includes('root'))).toBe(true);
    expect(graph.nodes.filter((n) => /^HtmlResponse @/.test(n.title))).toHaveLength(1);
    // Markdown: the same suspects, in the same order, with the folded path as one line.
    expect(markdown).toContain('### Leak suspects, in rank order');
    const items = markdown.split('\n').filter((line) => /^\d+\. /.test(line));
    expect(items[0]).toMatch(/^1\. \\`Scheduler\.queue\\` grows by \d+ \\`Request\\`s/);
    expect(items).toHaveLength(data.suspects.length);
    expect(markdown).toMatch(/ {3}- Path: \\\(HtmlResponse ←\.referer— \\\{referer\\\} ←\.cbKwargs— Request ←\.request—\\\) × \d+ HtmlResponse/);
    expect(markdown).toMatch(/ {3}- Functions: callback\\\(\\\) crawler\.mjs:\d+:\d+/);
    // An entity stays an entity: a backtick is a backslashed backtick, never a printed `&#96;`.
    expect(markdown).not.toContain('&\\#');
  });

  it('shows the allocation stack of a suspect when the series was taken with allocation tracking on', async () => {
    const { html, data, markdown } = report('tracked-crawler', scenario('tracked-crawler-series', ['200', '3']).files);
    const stack = data.suspects[0].allocationStack;
    expect(stack[0]).toMatchObject({ functionName: 'Request', url: expect.stringMatching(/crawler\.mjs$/) });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    const frames = await page.locator('#suspects li.suspect').first().locator('ol.stack li').allInnerTexts();
    await page.close();
    // Innermost first, as the engine gives it: the constructor, then the crawler's code that made the request.
    expect(frames).toHaveLength(stack.length);
    expect(frames[0]).toBe(`Request() crawler.mjs:${stack[0].line}:${stack[0].column}`);
    expect(frames).toEqual(expect.arrayContaining([expect.stringMatching(/^callback\(\) crawler\.mjs:\d+:\d+$/), expect.stringMatching(/^step\(\) crawler\.mjs:\d+:\d+$/)]));
    expect(frames.filter((f) => f.endsWith(' 0:0'))).toEqual([]);
    expect(markdown).toMatch(new RegExp(` {3}- Allocated at: Request\\\\\\(\\\\\\) crawler\\.mjs:${stack[0].line}:${stack[0].column} ← `));
  });

  it("charts the program's classes, not V8's categories, and no two labels overlap", async () => {
    const { html, data } = report('crawler-charts', crawlerSeries().files);
    // The JSON says which classes the program defines: the crawler's, not V8's nor trackref's.
    const program = data.series.filter((r: { definedByProgram: boolean }) => r.definedByProgram).map((r: { className: string }) => r.className);
    expect(program).toEqual(expect.arrayContaining(['Request', 'HtmlResponse', 'Scheduler']));
    expect(program.filter((c: string) => c.startsWith('(') || c.startsWith('{'))).toEqual([]);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    const charts = await page.locator('svg.chart').evaluateAll((svgs) =>
      svgs.map((svg) => ({
        kind: svg.getAttribute('class'),
        labels: [...svg.querySelectorAll('text')].map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom } };
        }),
      })),
    );
    await page.locator('svg.chart.growth').scrollIntoViewIfNeeded();
    await shot(page, 'report-charts');
    await page.close();
    expect(charts.map((c) => c.kind)).toEqual(['chart diff', 'chart growth']);
    for (const chart of charts) {
      const texts = chart.labels.map((l) => l.text);
      // Class labels: the program's, growing ones.
      expect(texts.join(' ')).toMatch(/Request/);
      expect(texts.filter((t) => /^\((system|compiled code|concatenated string|string|number|array)\)/.test(t) || t.startsWith('{className'))).toEqual([]);
      for (let i = 0; i < chart.labels.length; i++) {
        for (let j = i + 1; j < chart.labels.length; j++) {
          const [a, b] = [chart.labels[i], chart.labels[j]];
          expect(intersects(a.box, b.box), `${chart.kind}: "${a.text}" overlaps "${b.text}"`).toBe(false);
        }
      }
    }
    // The crawler's HtmlResponse and Selector grow alike: their end labels would sit on one another.
    const growth = charts[1].labels.map((l) => l.text);
    expect(growth).toEqual(expect.arrayContaining([expect.stringMatching(/^HtmlResponse \(\+\d+\)$/), expect.stringMatching(/^Selector \(\+\d+\)$/)]));
  });

  it('prints a heap whose class and property are named `</svg><script>…` as text, in the graph, the suspects and the Markdown', async () => {
    const hostile = scenario('hostile-chain') as { files: string[]; className: string; key: string };
    const { html, data, markdown } = report('hostile-chain', hostile.files);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script|<\/svg><script/i);
    expect(text).toContain('Evil&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const { page, dialogs, errors } = await open(html);
    const { svg, nodes } = await graphBoxes(page);
    const facts = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      graphText: document.querySelector('#retainer-graph')?.textContent ?? '',
      // Every node is still inside a graph's SVG: a name that closed it early would leave them outside.
      nodesOutside: [...document.querySelectorAll('g.node')].filter((g) => !g.closest('svg.graph')).length,
      suspect: document.querySelector('#suspects .suspect-headline')?.textContent ?? '',
      lede: document.querySelector('.lede')?.textContent ?? '',
    }));
    await shot(page, 'report-hostile-graph');
    await page.close();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(facts.scripts).toBe(0);
    expect(facts.nodesOutside).toBe(0);
    // The names are text: in the nodes, the edge labels' tooltips and the group.
    expect(facts.graphText).toContain(`${hostile.className} @${data.retainers.nodeId}`);
    expect(facts.graphText).toContain(`["${hostile.key}"]`);
    const groups = nodes.filter((n) => n.classes.includes('group'));
    expect(groups).toHaveLength(1);
    expect(groups[0].title).toMatch(new RegExp(`^\\(${escapeRegExp(hostile.className)} ←\\["${escapeRegExp(hostile.key)}"\\]—\\) × \\d+: \\d+ objects folded$`));
    // The chain is folded: besides the object, no link of it is drawn on its own.
    expect(nodes.filter((n) => n.title.startsWith(`${hostile.className} @`) && !n.classes.includes('target')).length).toBeLessThanOrEqual(1);
    for (const node of nodes) expect(inside(node.box, svg)).toBe(true);
    expect(nodes.some((n) => n.classes.includes('root'))).toBe(true);
    expect(facts.suspect).toBe(data.suspects[0].headline);
    expect(facts.suspect).toContain(`\`global.heads.${hostile.key}\` grows by`);
    expect(facts.lede).toBe(data.headline.text);
    // Markdown: no markup gets through outside the code fence, and the suspect's path is there, escaped.
    const prose = markdown.replace(/~~~[\s\S]*?~~~/g, '');
    expect(prose).not.toMatch(/<\/?svg|<script/);
    expect(prose).toContain('Evil&lt;/svg&gt;&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(prose).toMatch(/ {3}- Path: .*\) × \d+ Evil&lt;\/svg&gt;/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
