// `npm start` where Electron's binary cannot be had (as on this machine, or forced with
// LEAK_EXPLORER_WEB=1): it says so, serves the same UI through the web shell, and prints the URL.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/fixtures.ts';
import { waitForShellUrl } from './browser.ts';

describe('npm start without Electron', () => {
  it('falls back to the web shell, prints its URL with a token, and leaves nothing serving when killed', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { env: { ...process.env, LEAK_EXPLORER_WEB: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const { url, output } = await waitForShellUrl(child, 60_000);
    const out = output();
    try {
      expect(out).toMatch(/Starting the same UI in your browser instead/);
      const page = await fetch(url, { redirect: 'manual' });
      expect(page.status).toBe(303);
      const cookie = page.headers.get('set-cookie')?.split(';')[0] as string;
      const html = await fetch(new URL('/', url), { headers: { cookie } });
      expect(html.status).toBe(200);
      expect(await html.text()).toContain('<title>Leak Explorer</title>');
      // Killed with SIGKILL (no handler can run), nothing keeps serving: the shell is not a child left behind.
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      await expect(fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
  });
});
