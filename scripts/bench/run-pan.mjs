// Bench runner: the retainer graph as a user pans and zooms it, in Debian's Chromium against the built web
// shell. The heap is a program's whose `Hub` is retained through an inverted tree: four `Holder`s hold the
// hub, four hold each of those, six levels up (5,460 holders), so that its retainer graph has thousands of
// objects; the snapshot is written once into bench/.work. The Retainers view asks for the Hub, lets the
// graph draw up to N objects (the view's "Objects drawn at most" setting) with its folded chains opened,
// then drags the drawing across for two seconds and zooms it in and out with the wheel for two more,
// counting the frames the page paints (requestAnimationFrame) and the longest gap between two of them.
// Usage: node run-pan.mjs WORK_DIR N[,N…]   Prints {sizes: [{setting, nodes, panFps, zoomFps, worstFrameMs, error?}]}.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [workDir, sizesArg] = process.argv.slice(2);
const className = 'Hub';
const file = join(workDir, 'wide-retainers.heapsnapshot');
if (!existsSync(file)) {
  const program = `class Hub {}
    class Holder { constructor(ref) { this.ref = ref; } }
    let level = [new Hub()];
    for (let depth = 0; depth < 6; depth++) level = level.flatMap((object) => [1, 2, 3, 4].map(() => new Holder(object)));
    globalThis.holders = level;
    require('node:v8').writeHeapSnapshot(${JSON.stringify(file)});`;
  execFileSync(process.execPath, ['-e', program]);
}
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromiumPath) {
  console.log(JSON.stringify({ error: 'Chromium is not installed (apt-get install chromium)' }));
  process.exit(0);
}

function startShell() {
  const child = spawn(process.execPath, [join(root, 'bin', 'leak-explorer.js'), 'serve', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL: ${out}`)), 60_000);
    const onData = (chunk) => {
      out += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[0] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the shell exited (${code}): ${out}`)));
  });
}

/** Frames painted while `act` runs: the count per second and the longest gap between two frames. */
async function framesDuring(page, act) {
  await page.evaluate(() => {
    const state = { frames: 0, worst: 0, last: performance.now(), running: true };
    globalThis.__frames = state;
    const tick = (now) => {
      if (!state.running) return;
      state.frames++;
      state.worst = Math.max(state.worst, now - state.last);
      state.last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const started = Date.now();
  await act();
  const seconds = (Date.now() - started) / 1000;
  const { frames, worst } = await page.evaluate(() => {
    globalThis.__frames.running = false;
    return globalThis.__frames;
  });
  return { fps: frames / seconds, worst };
}

const shell = await startShell();
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const sizes = [];
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(shell.url);
  await page.getByRole('tab', { name: 'Retainers' }).click({ timeout: 120_000 });
  await page.getByLabel('Class').fill(className);
  await page.getByRole('button', { name: 'Oldest instance' }).click();
  await page.locator('.graph-host .node').first().waitFor({ timeout: 120_000 });
  for (const setting of sizesArg.split(',').map(Number)) {
    try {
      await page.getByLabel('Objects drawn at most').selectOption(String(setting));
      // Open every folded chain, so that the drawing holds as many objects as the setting allows.
      for (let i = 0; i < 5; i++) {
        await page.waitForTimeout(1500);
        const group = page.locator('.graph-host .node.group').first();
        if ((await group.count()) === 0) break;
        await group.click();
      }
      // Then ask for more retainers (a double-click on a box marked ⋯) until the drawing holds about as many
      // objects as the setting allows, or none is left to ask.
      const drawn = page.locator('.graph-host .node');
      for (let round = 0; round < 200 && (await drawn.count()) < setting * 0.9; round++) {
        const more = drawn.filter({ hasText: '⋯' });
        const count = await more.count();
        if (count === 0) break;
        const before = await drawn.count();
        await more.nth(round % count).dblclick();
        await page.waitForFunction((n) => document.querySelectorAll('.graph-host .node').length !== n, before, { timeout: 5000 }).catch(() => undefined);
      }
      await page.waitForTimeout(2000);
      const nodes = await drawn.count();
      const box = await page.locator('.graph-host svg').first().boundingBox();
      const x = box.x + box.width / 2;
      const y = box.y + box.height / 2;
      // Drag in a circle, then wheel in and out around the scale it is at.
      const pan = () =>
        framesDuring(page, async () => {
          await page.mouse.move(x, y);
          await page.mouse.down();
          for (let step = 0; step < 120; step++) {
            await page.mouse.move(x + 200 * Math.sin(step / 10), y + 100 * Math.cos(step / 10));
            await page.waitForTimeout(16);
          }
          await page.mouse.up();
        });
      const zoom = () =>
        framesDuring(page, async () => {
          await page.mouse.move(x, y);
          for (let step = 0; step < 120; step++) {
            await page.mouse.wheel(0, step % 40 < 20 ? -30 : 30);
            await page.waitForTimeout(16);
          }
        });
      // Fitted (the whole graph in view, as it opens), then at 1:1 (labels readable, as a person reads it).
      await page.getByRole('button', { name: 'Fit' }).click();
      const fittedPan = await pan();
      const fittedZoom = await zoom();
      await page.getByRole('button', { name: 'Reset' }).click();
      const readablePan = await pan();
      const readableZoom = await zoom();
      const worst = Math.max(fittedPan.worst, fittedZoom.worst, readablePan.worst, readableZoom.worst);
      sizes.push({ setting, nodes, panFps: fittedPan.fps, zoomFps: fittedZoom.fps, readablePanFps: readablePan.fps, readableZoomFps: readableZoom.fps, worstFrameMs: worst });
    } catch (error) {
      sizes.push({ setting, error: String(error?.message ?? error).split('\n')[0] });
    }
  }
} finally {
  await browser.close();
  shell.child.kill('SIGTERM');
}
console.log(JSON.stringify({ sizes }));
