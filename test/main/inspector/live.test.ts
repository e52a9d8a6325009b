// Attaching to real Node processes started without --inspect, and the tracker queries on them: what a
// user does first with Leak Explorer. Every target must still be running afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { attachByPid, launchUnderInspection } from '../../../src/main/inspector/attach.ts';
import { TargetMonitor } from '../../../src/main/inspector/monitor.ts';
import { listProcesses } from '../../../src/main/inspector/processes.ts';
import { killTargets, startCrawler, startPlainLeak } from '../../fixtures/targets.ts';
import { cli } from '../cli/cli.ts';
import { join } from 'node:path';
import { ROOT } from '../../fixtures/fixtures.ts';

afterEach(killTargets);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('attach by PID and tracker queries', () => {
  it('lists a plain `node app.js` as attachable, and its inspector port once attached', async () => {
    const target = await startPlainLeak();
    const before = (await listProcesses()).find((p) => p.pid === target.pid);
    expect(before).toMatchObject({ isNode: true, inspectorPort: null, attachable: true, reason: 'inspector closed; SIGUSR1 will open it' });
    const session = await attachByPid(target.pid);
    expect(session.info).toMatchObject({ pid: target.pid, via: 'pid', kind: 'node', hasTrackref: false, nodeVersion: process.version });
    // While attached, the inspector listens on a free loopback port (moved off 9229 at once).
    const port = Number(new URL(session.connection.url).port);
    expect(port).not.toBe(9229);
    const json = cli(['ps', '--json']);
    expect(JSON.parse(json.stdout).find((p: { pid: number }) => p.pid === target.pid)).toMatchObject({ inspectorPort: port, attachable: true });
    await session.close();
    // Detached, the target is as it was found: no inspector listening.
    const after = (await listProcesses()).find((p) => p.pid === target.pid);
    expect(after).toMatchObject({ inspectorPort: null, attachable: true, reason: 'inspector closed; SIGUSR1 will open it' });
    expect(target.alive()).toBe(true);
  });

  it('refs --pid on a plain target prints classes with counts and ages, and the target keeps running', async () => {
    const target = await startPlainLeak();
    const run = cli(['refs', '--pid', String(target.pid), '--json', '--snapshots', '2', '--interval', '1']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/The target has no trackref module: taking a heap snapshot/);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, pid: target.pid, source: 'snapshot-series' });
    const sessions = doc.liveRefs.find((r: { className: string }) => r.className === 'Session');
    expect(sessions.count).toBeGreaterThan(20);
    expect(sessions.ageIsLowerBound).toBe(true);
    expect(sessions.oldestAgeMs).toBeGreaterThanOrEqual(1000);
    expect(sessions.shallowSize).toBeGreaterThan(0);
    await sleep(200);
    expect(target.alive()).toBe(true);
    // The CLI closed the inspector it opened.
    expect((await listProcesses()).find((p) => p.pid === target.pid)).toMatchObject({ inspectorPort: null });
  });

  it('sees the response class grow, and its oldest age grow, in the demo crawler (trackref)', async () => {
    const target = await startCrawler();
    const session = await attachByPid(target.pid);
    expect(session.info.hasTrackref).toBe(true);
    const monitor = new TargetMonitor(session, new LocalEngine());
    try {
      const first = await monitor.liveRefs();
      await sleep(1500);
      const second = await monitor.liveRefs();
      expect(second.source).toBe('trackref');
      const a = first.rows.find((r) => r.className === 'HtmlResponse');
      const b = second.rows.find((r) => r.className === 'HtmlResponse');
      expect(b?.count).toBeGreaterThan(a?.count ?? Infinity);
      expect(b?.oldestAgeMs).toBeGreaterThan((a?.oldestAgeMs ?? Infinity) + 1000);
      expect(b).toMatchObject({ ageIsLowerBound: false, ageSource: 'trackref', history: [a?.count, b?.count] });
      const ignored = await monitor.liveRefs({ ignore: ['SomenastySpider'] });
      expect(ignored.rows.map((r) => r.className)).not.toContain('SomenastySpider');
      // get_oldest('HtmlResponse').url, as in the Scrapy docs.
      const oldest = await monitor.oldest('HtmlResponse');
      expect(oldest?.properties.find((p) => p.name === 'url')?.value).toBe('"http://www.somenastyspider.com/index.html"');
      expect(oldest?.ageMs).toBeGreaterThan(1000);
      const page = await monitor.instances('HtmlResponse', 0, 5);
      expect(page.items).toHaveLength(5);
      expect(page.total).toBeGreaterThanOrEqual(b?.count ?? 0);
      expect(page.items.map((i) => i.ageMs)).toEqual([...page.items.map((i) => i.ageMs)].sort((x, y) => (y ?? 0) - (x ?? 0)));
      const url = await monitor.evaluate("getOldest('HtmlResponse').url");
      // A string is printed as its text, as Scrapy's console prints it.
      expect(url).toMatchObject({ ok: true, type: 'string', description: 'http://www.somenastyspider.com/index.html' });
      const urls = await monitor.evaluate("iterAll('HtmlResponse').slice(0, 2).map((r) => r.url)");
      expect(urls.properties.map((p) => p.value)).toEqual(['"http://www.somenastyspider.com/index.html"', '"http://www.somenastyspider.com/product.php?pid=1"']);
      const prefs = await monitor.evaluate('prefs()');
      expect(prefs.description).toMatch(/^Live References\n\nRequest +\d+ +oldest: \d+s ago$/m);
      // Top-level await, as in DevTools' console.
      const awaited = await monitor.evaluate("await new Promise((resolve) => setTimeout(() => resolve(getOldest('HtmlResponse').status), 10))");
      expect(awaited).toMatchObject({ ok: true, description: '200' });
      const failing = await monitor.evaluate('nope.nope');
      expect(failing).toMatchObject({ ok: false });
      expect(failing.description).toMatch(/ReferenceError: nope is not defined/);
    } finally {
      await session.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('finds the oldest response’s retainers through referer from a live snapshot', async () => {
    const target = await startCrawler();
    const engine = new LocalEngine();
    const session = await attachByPid(target.pid);
    const monitor = new TargetMonitor(session, engine);
    try {
      const phases = new Set<string>();
      const snapshot = await monitor.takeSnapshot({ onProgress: (p) => phases.add(p.phase) });
      expect(phases).toContain('Serialising in the target');
      expect(phases).toContain('Building the dominator tree');
      const { nodeId } = await engine.call('oldest', { ids: [snapshot.id], classNameOrKey: 'HtmlResponse' });
      const { paths } = await engine.call('retainerPaths', { id: snapshot.id, nodeId });
      expect(paths[0][0]).toMatchObject({ className: 'HtmlResponse', edgeName: 'referer' });
      expect(paths[0][1]).toMatchObject({ edgeName: 'cbKwargs' });
      // The same object, seen live: its properties come from the running process.
      const live = await session.previewById(nodeId, 'HtmlResponse', null);
      expect(live?.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['url', 'status', 'body', 'request']));
      expect(live?.properties.find((p) => p.name === 'status')?.value).toBe('200');
      // A live count without a snapshot (Runtime.queryObjects), subclasses included.
      const count = await session.liveCount('HtmlResponse');
      expect(count).toBeGreaterThan(0);
      expect(await session.liveCount('NoSuchClassHere')).toBeNull();
    } finally {
      await session.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('dates objects with opt-in allocation tracking', async () => {
    const target = await startPlainLeak({ LEAK_RATE: '5' });
    const engine = new LocalEngine();
    const session = await attachByPid(target.pid);
    const monitor = new TargetMonitor(session, engine);
    try {
      await session.startTracking();
      await sleep(1500);
      const result = await monitor.liveRefs();
      expect(result.source).toBe('allocation-tracking');
      const sessions = result.rows.find((r) => r.className === 'Session');
      // The oldest Session predates tracking: its age is bounded below by the tracking time.
      expect(sessions).toMatchObject({ ageSource: 'allocation-tracking', ageIsLowerBound: true });
      expect(sessions?.oldestAgeMs).toBeGreaterThanOrEqual(1400);
      const timeline = session.idTimeline();
      expect(timeline?.ids.length).toBeGreaterThan(5);
      expect(timeline?.ids).toEqual([...(timeline?.ids ?? [])].sort((a, b) => a - b));
      await session.stopTracking();
      expect(session.idTimeline()).toBeNull();
    } finally {
      await session.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('launches a command under inspection on a free loopback port (leak-explorer run)', async () => {
    const { child, session } = await launchUnderInspection([process.execPath, join(ROOT, 'test', 'fixtures', 'targets', 'plain-leak.mjs')], { stdio: 'pipe' });
    try {
      expect(session.info).toMatchObject({ pid: child.pid, via: 'launch' });
      expect(session.connection.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
      expect(session.connection.url).not.toMatch(/:9229\//);
    } finally {
      await session.close();
      child.kill('SIGKILL');
    }
  });

  it('counts a class by name across every constructor of that name, as a snapshot does', async () => {
    // node:inspector defines its own `Session`; the program's `Session` must still be counted.
    const source = "class Session {} globalThis.keep = Array.from({ length: 7 }, () => new Session()); const { Session: InspectorSession } = require('node:inspector'); globalThis.own = InspectorSession; setInterval(() => {}, 1000); console.log('ready')";
    const { child, session } = await launchUnderInspection([process.execPath, '-e', source], { stdio: 'pipe' });
    try {
      expect(await session.liveCount('Session')).toBe(7);
      expect(await session.liveCount('NoSuchClass')).toBeNull();
    } finally {
      await session.close();
      child.kill('SIGKILL');
    }
  });
});
