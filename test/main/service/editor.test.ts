// Opening a location in the editor: the location comes from the heap, so only an existing local file, by
// its real path, ever becomes an editor URL or command; everything else gets a code. The configured command
// runs without a shell (a real child process here), so nothing in a path is interpreted.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { AppService } from '../../../src/main/service/app-service.ts';
import { editorCommand, openInEditor, resolveEditorTarget, runEditorCommand, type EditorTarget } from '../../../src/main/service/editor.ts';

const dir = mkdtempSync(join(tmpdir(), 'editor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = join(dir, 'app.js');
writeFileSync(source, 'function remember() {}\n');

describe('open in editor', () => {
  it('resolves a local file (path or file:// URL, through symbolic links) to a vscode:// URL with a checked line and column', () => {
    const link = join(dir, 'link.js');
    symlinkSync(source, link);
    for (const url of [source, pathToFileURL(source).href, link]) {
      expect(resolveEditorTarget({ url, line: 12, column: 5 })).toEqual({ path: source, line: 12, column: 5, vscodeUrl: `vscode://file${source}:12:5` });
    }
    // A column V8 does not know (0) opens at the line's start.
    expect(resolveEditorTarget({ url: source, line: 3, column: 0 }).column).toBe(1);
  });

  it('percent-encodes every path segment, so a file name cannot add to the URL', () => {
    const odd = join(dir, 'we ird#?%:@&.js');
    writeFileSync(odd, '');
    const target = resolveEditorTarget({ url: odd, line: 1, column: 1 });
    expect(target.vscodeUrl).toBe(`vscode://file${dir}/we%20ird%23%3F%25%3A%40%26.js:1:1`);
  });

  it('refuses what is not an existing local file: EDITOR_PATH_INVALID', () => {
    mkdirSync(join(dir, 'folder'));
    const bad = [
      'https://example.com/app.js',
      'node:internal/timers',
      'relative/app.js',
      join(dir, 'missing.js'),
      join(dir, 'folder'),
      `${source}\u0007`,
      'javascript:alert(1)',
      'file://evil.example.com/etc/passwd',
    ];
    for (const url of bad) expect(() => resolveEditorTarget({ url, line: 1, column: 1 }), url).toThrow(expect.objectContaining({ code: 'EDITOR_PATH_INVALID' }));
    expect(() => resolveEditorTarget({ url: source, line: 0 })).toThrow(expect.objectContaining({ code: 'EDITOR_PATH_INVALID' }));
  });

  it('says EDITOR_UNAVAILABLE, with the path to copy, where the shell has no editor (the web shell)', async () => {
    await expect(openInEditor(undefined, { url: pathToFileURL(source).href, line: 7, column: 2 })).rejects.toMatchObject({ code: 'EDITOR_UNAVAILABLE', message: expect.stringContaining(`${source}:7:2`) });
    const service = new AppService({ engine: new LocalEngine(), emit: () => {}, demoScript: '', heapSampleMs: 0, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
    expect(await service.dispatch({ callId: 1, method: 'openInEditor', params: { url: source, line: 7 } })).toMatchObject({ ok: false, error: { code: 'EDITOR_UNAVAILABLE' } });
    expect(await service.dispatch({ callId: 2, method: 'openInEditor', params: { url: 'https://x/y.js', line: 7 } })).toMatchObject({ ok: false, error: { code: 'EDITOR_PATH_INVALID' } });
  });

  it('hands the desktop shell only the resolved target', async () => {
    const opened: EditorTarget[] = [];
    const service = new AppService({ engine: new LocalEngine(), emit: () => {}, demoScript: '', heapSampleMs: 0, editor: { open: async (t) => void opened.push(t) }, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
    expect(await service.dispatch({ callId: 1, method: 'openInEditor', params: { url: pathToFileURL(source).href, line: 4, column: 9 } })).toEqual({ ok: true, value: { path: source, line: 4, column: 9 } });
    expect(opened).toEqual([{ path: source, line: 4, column: 9, vscodeUrl: `vscode://file${source}:4:9` }]);
  });

  it('runs a configured command without a shell: a path full of shell syntax reaches the editor as one argument', async () => {
    const hostile = join(dir, '$(touch pwned); `id` > x.js');
    writeFileSync(hostile, '');
    const record = join(dir, 'argv.json');
    const recorder = join(dir, 'editor.cjs');
    writeFileSync(recorder, `require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\n`);
    const target = resolveEditorTarget({ url: hostile, line: 3, column: 4 });
    const argv = editorCommand(`${process.execPath} ${recorder} --goto {file}:{line}:{column}`, target);
    expect(argv.slice(2)).toEqual(['--goto', `${hostile}:3:4`]);
    await runEditorCommand(argv);
    for (let i = 0; i < 100 && !existsSync(record); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual(['--goto', `${hostile}:3:4`]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    // Without {file}, the location is appended as file:line:column.
    expect(editorCommand('subl', target)).toEqual(['subl', `${hostile}:3:4`]);
    await expect(runEditorCommand(['/no/such/editor'])).rejects.toMatchObject({ code: 'EDITOR_UNAVAILABLE' });
  });
});
