/**
 * A real browser for the UI tests: Debian's Chromium driven by playwright-core, against the web shell
 * started by the built `leak-explorer serve`. Screenshots go to test-results/screenshots for people to look at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../fixtures/fixtures.ts';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** Where Chromium is: $CHROMIUM_PATH, or Debian's package. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error('Chromium is not installed: apt-get install -y chromium (the CI script does this).');
  return found;
}

/** Launches headless Chromium as the machine allows (no sandbox as root, no background networking). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A fresh browser with one 1440×900 page, the size the app's screenshots are looked at in. Uncaught page
 * errors (and, with `consoleErrors`, the console's errors) are pushed into `errors`, which a test expects empty.
 */
export async function openPage(errors: string[], options: { consoleErrors?: boolean } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => errors.push(String(error)));
  if (options.consoleErrors) {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
  }
  return { browser, page };
}

/** A running `leak-explorer serve`, and the URL it printed. */
export interface Shell {
  url: string;
  origin: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Waits for a web shell process to print its URL with the token; fails with what it printed otherwise. */
export function waitForShellUrl(child: ChildProcess, timeoutMs: number): Promise<{ url: string; output: () => string }> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[0], output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing its URL: ${out}`));
    });
  });
}

/** Starts the built web shell as a user would, and waits for its URL. */
export async function startShell(args: string[] = []): Promise<Shell> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'leak-explorer.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { url } = await waitForShellUrl(child, 20_000);
  return {
    url,
    origin: new URL(url).origin,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Saves a screenshot named `name` for people to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Text elements whose colour against their effective background is below WCAG AA (4.5:1; 3:1 for large
 * text), computed from the rendered page's colours (alpha-blended over the backgrounds beneath).
 */
export async function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (c: string): [number, number, number, number] => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [parts[0], parts[1], parts[2], parts[3] ?? 1];
    };
    const blend = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const background = (el: Element | null): number[] => {
      const layers: number[][] = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let colour = [255, 255, 255];
      for (const layer of layers.reverse()) colour = blend(layer, [...colour, 1]);
      return colour;
    };
    const failures: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !node.textContent?.trim()) continue;
      seen.add(el);
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
      // SVG text is drawn with fill; HTML text with color. Disabled controls are exempt (WCAG 1.4.3).
      if (el.closest('button:disabled, [aria-disabled="true"], option')) continue;
      const isSvg = el instanceof SVGElement;
      const fg = parse(isSvg ? style.fill : style.color);
      const opacity = Number(style.opacity) * Number(el.closest('[style*="opacity"]') ? 1 : 1);
      const bg = background(isSvg ? (el.closest('.graph-host, .panel') ?? el) : el);
      const text = blend([...fg.slice(0, 3), fg[3] * opacity], [...bg, 1]);
      const [l1, l2] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) failures.push(`${ratio.toFixed(2)}:1 "${node.textContent.trim().slice(0, 40)}" (${el.tagName.toLowerCase()}.${el.className})`);
    }
    return failures;
  });
}
