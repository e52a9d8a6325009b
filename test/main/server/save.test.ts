// Saving without Electron: the part of the desktop app's save that runs after the dialog (writing beside the
// picked file, with coded errors), the web shell's download folder, and which hosts count as this machine.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DownloadFolder } from '../../../src/main/server/downloads.ts';
import { isLoopbackHost } from '../../../src/main/service/app-service.ts';
import { saveBeside, type SaveFile } from '../../../src/main/service/save.ts';

const dir = mkdtempSync(join(tmpdir(), 'le-save-'));
const report: SaveFile[] = [
  { name: 'leak-report-x.html', content: { text: '<html>' } },
  { name: 'leak-report-x.json', content: { text: '{}' } },
  { name: 'leak-report-x.md', content: { text: '# Report' } },
];

describe('saving where the user picked', () => {
  it('writes the picked file and the others beside it, with the picked name', async () => {
    const paths = await saveBeside(join(dir, 'bug 42.html'), report);
    expect(paths).toEqual([join(dir, 'bug 42.html'), join(dir, 'bug 42.json'), join(dir, 'bug 42.md')]);
    expect(readFileSync(paths[2], 'utf8')).toBe('# Report');
  });

  it('gives a coded error for a folder, a missing folder and x/../y, never a raw EISDIR or ENOENT', async () => {
    const folder = join(dir, 'a-folder.html');
    mkdirSync(folder);
    await expect(saveBeside(folder, report)).rejects.toMatchObject({ code: 'FILE_UNWRITABLE', message: expect.stringContaining('it is a folder') });
    await expect(saveBeside(join(dir, 'missing', '..', 'nowhere', 'r.html'), report)).rejects.toMatchObject({ code: 'FILE_UNWRITABLE', message: expect.stringContaining('its folder does not exist') });
    const snapshot = join(dir, 'live.heapsnapshot');
    writeFileSync(snapshot, '{"snapshot":{}}');
    await expect(saveBeside(dir, [{ name: 'live.heapsnapshot', content: { path: snapshot } }])).rejects.toMatchObject({ code: 'FILE_UNWRITABLE' });
  });
});

describe("the web shell's download folder", () => {
  it('registers each saved file under a fresh id and serves nothing else', async () => {
    const downloads = new DownloadFolder();
    try {
      const outcome = await downloads.save(report);
      expect(outcome.cancelled).toBe(false);
      expect(outcome.downloads.map((d) => d.name)).toEqual(report.map((f) => f.name));
      const ids = outcome.downloads.map((d) => d.url.replace('/download/', ''));
      expect(new Set(ids).size).toBe(3);
      const first = downloads.find(ids[0]);
      expect(first?.path.startsWith(downloads.dir)).toBe(true);
      expect(readFileSync(first?.path as string, 'utf8')).toBe('<html>');
      for (const probe of ['../../etc/passwd', '/etc/passwd', 'constructor', '__proto__', '']) expect(downloads.find(probe), probe).toBeUndefined();
    } finally {
      downloads.dispose();
    }
  });
});

describe('which hosts are this machine', () => {
  it('counts loopback names and addresses only', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'LOCALHOST', 'app.localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['192.0.2.7', '10.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '[2001:db8::1]', '0.0.0.0']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
