// The API is declared once (src/shared/contract.ts). The type system already refuses a service handler table
// with a method missing or one too many (checked below with @ts-expect-error, which fails `npm run typecheck`
// the day the error goes away). What it cannot see is checked here at run time: the built web shell serves
// exactly the declared methods, each behind its own strict schema; every engine method declared has a handler
// in the engine, and every service method one in the service.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_METHOD_NAMES, API, type AppParams, type ServiceHandlers, type ServiceMethod } from '../../../src/shared/contract.ts';
import type { EngineParams } from '../../../src/shared/engine-api.ts';
import type { ErrorInfo, Result } from '../../../src/shared/errors.ts';
import { createEngineService, LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { DownloadFolder } from '../../../src/main/server/downloads.ts';
import { AppService } from '../../../src/main/service/app-service.ts';
import { CRAWLER, ROOT } from '../../fixtures/fixtures.ts';
import { startShell, type Shell } from '../../e2e/browser.ts';
import { ApiClient } from '../server/wire.ts';

const serviceMethods = APP_METHOD_NAMES.filter((m) => API[m].owner === 'service');
const engineMethods = APP_METHOD_NAMES.filter((m) => API[m].owner === 'engine');

function errorOf(result: Result<unknown>): ErrorInfo {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return (result as { ok: false; error: ErrorInfo }).error;
}

describe('the contract, at run time', () => {
  let shell: Shell;
  let api: ApiClient;

  beforeAll(async () => {
    shell = await startShell();
    const answer = await fetch(shell.url, { redirect: 'manual' });
    const cookie = answer.headers.get('set-cookie')?.split(';')[0] as string;
    api = await ApiClient.open(Number(new URL(shell.url).port), cookie);
  });

  afterAll(async () => {
    api?.close();
    await shell?.stop();
  });

  it('the built web shell serves every declared method, each checking its parameters against its schema', async () => {
    expect(APP_METHOD_NAMES.length).toBeGreaterThan(40);
    for (const method of APP_METHOD_NAMES) {
      // A parameter no schema names: a served method refuses it by name; an unserved one would be UNKNOWN_METHOD.
      const error = errorOf(await api.call(method, { notAParameter: 1 }));
      expect(error.code, method).toBe('BAD_REQUEST');
      expect(error.message, method).toContain(`Bad parameters for ${method}:`);
    }
  });

  it('every schema is strict: a parameter it does not name is refused, not dropped', () => {
    for (const method of APP_METHOD_NAMES) {
      const parsed = API[method].params.safeParse({ notAParameter: 1 });
      expect(parsed.error?.issues.map((issue) => issue.code), method).toContain('unrecognized_keys');
    }
  });

  it('serves nothing else: engine-only methods, inherited names and unknown names are unknown methods', async () => {
    for (const method of ['openFile', 'nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(errorOf(await api.call(method, {})).code, method).toBe('UNKNOWN_METHOD');
    }
  });

  it('the engine has a handler for every engine method declared, and none the contract does not know', () => {
    const handled = Object.keys(createEngineService());
    expect(handled.filter((m) => !engineMethods.includes(m as never)).sort()).toEqual(['openFile']);
    expect(engineMethods.filter((m) => !handled.includes(m))).toEqual([]);
  });

  it('the service answers every service method itself, with a handler that runs', async () => {
    const downloads = new DownloadFolder();
    const service = new AppService({ engine: new LocalEngine(), emit: () => {}, saver: downloads, demoScript: CRAWLER, heapSampleMs: 0 });
    try {
      // launchDemo starts a process: it is checked over the wire above, not run here.
      for (const method of serviceMethods.filter((m) => m !== 'launchDemo')) {
        // Empty parameters get past no schema; here the handler itself runs, and answers or fails its own way.
        const outcome = await service.call(method, {} as never).then(
          () => 'answered',
          (error: { code?: string }) => error.code ?? 'threw',
        );
        expect(outcome, method).not.toBe('UNKNOWN_METHOD');
      }
      // An engine method, forwarded through the same call, reaches the engine.
      expect(await service.call('listSnapshots', {})).toEqual([]);
    } finally {
      await service.close();
      downloads.dispose();
    }
  });
});

describe('the contract in the page', () => {
  it('stays types: zod, which checks calls in the main process, is in neither the renderer nor the preload bundle', () => {
    // zod's issue codes are strings no minifier renames; the main process's bundle has them, as a control.
    const marker = 'unrecognized_keys';
    const read = (dir: string) => readdirSync(dir).filter((f) => /\.c?js$/.test(f)).map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(read(join(ROOT, 'out', 'main')).some((code) => code.includes(marker)), 'control: the main bundle has zod').toBe(true);
    for (const dir of [join(ROOT, 'out', 'renderer', 'assets'), join(ROOT, 'out', 'preload')]) {
      const bundles = read(dir);
      expect(bundles.length, dir).toBeGreaterThan(0);
      expect(bundles.filter((code) => code.includes(marker)), dir).toEqual([]);
    }
  });
});

describe('the contract, at compile time', () => {
  it('derives the types the renderer and the engine use from the declarations', () => {
    // The engine's parameters are the declared ones (liveRefs adds only what the main process supplies).
    const summary: EngineParams<'summary'> = { id: 1, sortBy: 'count' } satisfies AppParams<'summary'>;
    const liveRefs: EngineParams<'liveRefs'> = { ids: [1], idTimeline: { ids: [], times: [], startedAt: 0 } };
    // @ts-expect-error the UI cannot send the id timeline: it is no declared parameter of liveRefs
    const fromUi: AppParams<'liveRefs'> = { idTimeline: { ids: [], times: [], startedAt: 0 } };
    // @ts-expect-error a parameter the schema does not declare is a type error for the caller too
    const bogus: AppParams<'summary'> = { id: 1, bogus: true };
    expect([summary, liveRefs, fromUi, bogus]).toHaveLength(4);
  });

  it('refuses a service handler table with a method missing, or with one the contract does not declare', () => {
    const complete = Object.fromEntries(serviceMethods.map((m) => [m, async () => null])) as unknown as ServiceHandlers;
    const { attach: _attach, ...withoutAttach } = complete;
    // @ts-expect-error attach is declared as a service method, so the table must have its handler
    const missing: ServiceHandlers = withoutAttach;
    // @ts-expect-error openFile is no declared method: no handler may be written for it
    const extra: ServiceHandlers = { ...complete, openFile: async () => null };
    // @ts-expect-error summary is the engine's: the service has no handler of its own for it
    const engines: ServiceHandlers = { ...complete, summary: async () => [] };
    const names: ServiceMethod[] = ['attach', 'exportReport'];
    expect([missing, extra, engines, names].every(Boolean)).toBe(true);
  });
});
