// Builds what every test file shares, once: DevTools' worker bundle (the reference) and the real-process
// snapshot fixtures.
import { crawlerSeries, scenario } from './fixtures/fixtures.ts';

export default async function setup(): Promise<void> {
  const { buildDevToolsBundle } = await import('../scripts/anchors/build-devtools.mjs');
  await buildDevToolsBundle();
  crawlerSeries();
  scenario('hostile-strings');
  scenario('many-strings');
}
