// The architecture's import rules (../shared/STYLE.md) are enforced by the lint config: checked here by
// linting a file placed in each layer that breaks its rule once, and one that keeps it, so that a rule that
// stops firing (or starts firing on what the layer may import) fails the build.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/fixtures.ts';

const eslint = new ESLint({ cwd: ROOT });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** A file in `layer` that imports `what` from `from` (a value, unless `type`). */
const source = (from: string, type = false) => (type ? `import type { A } from '${from}';\nexport type B = A;\n` : `import { a } from '${from}';\nexport const b = a;\n`);

/** Per folder of STYLE.md's layout: a file there, imports that break its rule, and imports it may make. */
const LAYERS: Array<{ file: string; breaks: string[]; keeps: string[]; typeOnly?: string[] }> = [
  { file: 'src/shared/x.ts', breaks: ['node:fs', 'path', '../main/heap/store.ts', '../renderer/src/App.tsx', 'react', 'ws', 'd3', 'chrome-remote-interface'], keeps: ['./errors.ts', './model.ts', 'zod'] },
  { file: 'src/main/heap/x.ts', breaks: ['../inspector/attach.ts', '../report/report.ts', '../service/app-service.ts', '../cli/main.ts', '../server/server.ts', '../app/window.ts', '../../preload/index.ts'], keeps: ['../../shared/errors.ts', 'node:worker_threads', './graph.ts'] },
  { file: 'src/main/heap/runtime/x.worker.ts', breaks: ['../../inspector/attach.ts', '../../report/report.ts', '../../service/app-service.ts', '../../server/server.ts', '../../cli/main.ts'], keeps: ['node:worker_threads', '../analysis.ts', '../../../shared/errors.ts', './workers.ts'] },
  { file: 'src/main/heap/leaks/x.ts', breaks: ['../../report/report.ts', '../../inspector/attach.ts', '../../service/app-service.ts', 'node:fs', 'fs', 'node:worker_threads'], keeps: ['../analysis.ts', '../../../shared/errors.ts', './rule.ts'] },
  { file: 'src/main/inspector/x.ts', breaks: ['../report/report.ts', '../service/app-service.ts', '../cli/main.ts', '../server/server.ts', '../app/window.ts'], keeps: ['../heap/store.ts', '../../shared/errors.ts', 'chrome-remote-interface'] },
  { file: 'src/main/report/x.ts', breaks: ['../service/app-service.ts', '../cli/main.ts', '../server/server.ts', '../app/window.ts'], keeps: ['../heap/store.ts', '../inspector/attach.ts'] },
  { file: 'src/main/service/x.ts', breaks: ['../cli/main.ts', '../server/server.ts', '../app/window.ts', '../../renderer/src/App.tsx', '../../preload/index.ts'], keeps: ['../report/report.ts', '../inspector/attach.ts', '../heap/store.ts', 'zod'] },
  { file: 'src/main/server/x.ts', breaks: ['../cli/main.ts', '../app/window.ts'], keeps: ['../service/app-service.ts', 'ws'] },
  { file: 'src/main/cli/x.ts', breaks: ['../app/window.ts', '../../renderer/src/App.tsx'], keeps: ['../server/server.ts', '../service/app-service.ts', '../report/report.ts'] },
  { file: 'src/main/app/x.ts', breaks: ['../../renderer/src/App.tsx', '../../preload/index.ts'], keeps: ['electron', '../service/app-service.ts', '../cli/main.ts'] },
  { file: 'src/main/index.ts', breaks: ['../renderer/src/App.tsx'], keeps: ['electron', './app/window.ts'] },
  {
    file: 'src/preload/x.ts',
    breaks: ['../shared/errors.ts', '../main/heap/store.ts', 'node:fs', 'zod', '../renderer/src/App.tsx'],
    keeps: ['electron'],
    typeOnly: ['../shared/app-api.ts', '../shared/contract.ts'],
  },
  {
    file: 'src/renderer/src/x.tsx',
    breaks: ['../../shared/errors.ts', '../../shared/model', '../../shared/contract.ts', '../../main/heap/store.ts', '../../preload/index.ts', 'node:fs', 'fs', 'zod', 'ws'],
    keeps: ['../../shared/format', 'react', 'd3', './components.tsx'],
    typeOnly: ['../../shared/model', '../../shared/app-api.ts', '../../shared/contract.ts'],
  },
];

describe('layering lint rules', () => {
  for (const { file, breaks, keeps, typeOnly = [] } of LAYERS) {
    it(`${file}: breaks its rule once with each forbidden import, and keeps it with the allowed ones`, async () => {
      for (const from of breaks) expect(await importErrors(file, source(from)), `${file} importing ${from}`).toHaveLength(1);
      for (const from of keeps) expect(await importErrors(file, source(from)), `${file} importing ${from}`).toEqual([]);
      for (const from of typeOnly) expect(await importErrors(file, source(from, true)), `${file} importing types from ${from}`).toEqual([]);
    });
  }

  it('forbids electron outside src/main/app, src/main/index.ts and src/preload', async () => {
    for (const file of ['src/main/newfolder/x.ts', 'src/x.ts', 'src/main/heap/runtime/x.ts', 'src/main/heap/x.ts', 'src/main/inspector/x.ts', 'src/main/cli/x.ts', 'src/main/server/x.ts', 'src/main/service/x.ts', 'src/main/report/x.ts', 'src/shared/x.ts', 'src/renderer/src/x.tsx', 'test/x.ts', 'scripts/x.mjs']) {
      expect(await importErrors(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(1);
    }
    for (const file of ['src/main/app/window.ts', 'src/main/index.ts', 'src/preload/index.ts']) {
      expect(await importErrors(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(0);
    }
  });
});
