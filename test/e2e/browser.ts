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
