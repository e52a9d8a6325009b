// The architecture's import rules (../shared/STYLE.md) are enforced by the lint config: checked here by
// linting code placed in each layer, so that a rule that stops firing fails the build.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/fixtures.ts';

const eslint = new ESLint({ cwd: ROOT });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rules', () => {
  it('forbids electron outside src/main/app, src/main/index.ts and src/preload', async () => {
    for (const file of ['src/main/heap/x.ts', 'src/main/inspector/x.ts', 'src/main/cli/x.ts', 'src/main/server/x.ts', 'src/main/report/x.ts', 'src/shared/x.ts', 'src/renderer/src/x.tsx']) {
      expect(await importErrors(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(1);
    }
    for (const file of ['src/main/app/window.ts', 'src/main/index.ts', 'src/preload/index.ts']) {
      expect(await importErrors(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(0);
    }
  });

  it('keeps the engine free of the layers above it', async () => {
    expect(await importErrors('src/main/heap/x.ts', "import { a } from '../inspector/attach.ts';\nexport const b = a;\n")).toHaveLength(1);
    expect(await importErrors('src/main/heap/x.ts', "import { a } from '../../shared/errors.ts';\nexport const b = a;\n")).toHaveLength(0);
    expect(await importErrors('src/main/inspector/x.ts', "import { a } from '../heap/store.ts';\nexport const b = a;\n")).toHaveLength(0);
    expect(await importErrors('src/main/inspector/x.ts', "import { a } from '../server/server.ts';\nexport const b = a;\n")).toHaveLength(1);
    expect(await importErrors('src/main/cli/x.ts', "import { a } from '../app/window.ts';\nexport const b = a;\n")).toHaveLength(1);
    // Leak rules are pure: the engine and shared, no I/O.
    expect(await importErrors('src/main/heap/leaks/x.ts', "import { a } from '../analysis.ts';\nexport const b = a;\n")).toHaveLength(0);
    expect(await importErrors('src/main/heap/leaks/x.ts', "import { a } from '../../report/report.ts';\nexport const b = a;\n")).toHaveLength(1);
    expect(await importErrors('src/main/heap/leaks/x.ts', "import { readFileSync } from 'node:fs';\nexport const b = readFileSync;\n")).toHaveLength(1);
  });

  it('keeps src/shared free of Node and the renderer free of main-process code', async () => {
    expect(await importErrors('src/shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const b = readFileSync;\n")).toHaveLength(1);
    expect(await importErrors('src/renderer/src/x.tsx', "import { a } from '../../main/heap/store.ts';\nexport const b = a;\n")).toHaveLength(1);
  });
});
