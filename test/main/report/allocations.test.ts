// The allocations section of the reports escapes what comes from the target (function names and script
// URLs are the program's text): no markup, no Markdown formatting and no link gets through.
import { describe, expect, it } from 'vitest';
import type { AllocationSiteRow } from '../../../src/shared/model.ts';
import { allocationsReport, renderAllocationsReport, withAllocationsHtml, withAllocationsMarkdown } from '../../../src/main/report/allocations.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const URL_ = 'file:///srv/app/"><script>alert(2)</script>[x](http://evil)/app.js';

function site(functionName: string, url: string, grows: boolean, growth: number): AllocationSiteRow {
  const frame = { functionName, url, line: 12, column: 3 };
  return { ...frame, liveBytes: 4096, growthBytesPerMinute: growth, growsInEveryInterval: grows, liveBytesSeries: [1024, 2048, 4096], stack: [frame, { functionName: 'listOnTimeout', url: 'node:internal/timers', line: 623, column: 25 }] };
}

describe('the allocations report section', () => {
  const report = allocationsReport({ sites: [site(HOSTILE, URL_, true, 9000), site('quote', 'file:///srv/app/app.js', false, 0)], samplingInterval: 32768, durationMs: 20_000, profiles: 7 });

  it('escapes function names and URLs in the stand-alone HTML, and runs no script', () => {
    const { html, markdown, json } = renderAllocationsReport(report, { pid: 42, title: `node ${HOSTILE}`, origin: 'leak-explorer allocations --pid 42', generatedAt: '2026-12-03T07:00:00.000Z' });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain("default-src 'none'");
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toMatch(/\[x\]\(http/);
    expect(JSON.parse(json).allocations.sites[0].functionName).toBe(HOSTILE);
    // The growing site heads the section, with its stack.
    expect(html).toMatch(/1 allocation site grew in every interval \(20 s, 7 profiles/);
  });

  it('goes into a snapshot report before "How this report was made", and into its Markdown before the footer', () => {
    const html = withAllocationsHtml('<main><h2>Type summary</h2><h2>How this report was made</h2></main>', report);
    expect(html.indexOf('Where the growing memory was allocated')).toBeGreaterThan(html.indexOf('Type summary'));
    expect(html.indexOf('Where the growing memory was allocated')).toBeLessThan(html.indexOf('How this report was made'));
    const markdown = withAllocationsMarkdown('## Leak report\n\n<sub>Made with Leak Explorer</sub>\n', report);
    expect(markdown).toMatch(/### Where the growing memory was allocated[\s\S]*<sub>Made with/);
    expect(withAllocationsHtml('<main></main>', null)).toBe('<main></main>');
  });

  it('redacts script URLs with --redact-strings, and keeps the function names', () => {
    const redacted = allocationsReport({ sites: [site('remember', 'file:///home/alice/secret-project/app.js', true, 9000)], samplingInterval: 32768, durationMs: 20_000, profiles: 7 }, (text) => `⟨${text.length}⟩`);
    expect(JSON.stringify(redacted)).not.toContain('secret-project');
    expect(redacted.sites[0]).toMatchObject({ functionName: 'remember', url: '⟨40⟩' });
    expect(redacted.sites[0].stack[0].url).toBe('⟨40⟩');
  });
});
