/**
 * The three HTML pages a user opens — `run --html`, `bench --html`, `compare --html` —
 * loaded in headless Chromium from fixture reports: no console errors and no requests,
 * their sections present, an axis title on every chart, no two chart labels printed over
 * each other, and the run's JIT warm-up shaded and left out of the headline figure.
 * Screenshots go to $TMPDIR/addrspace-pages/*.png for a person to look at. Skips, saying
 * why, where there is no Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBenchHtml } from '../../src/bench/report-html.js';
import { compareReports, loadReports } from '../../src/cli/compare.js';
import { renderCompareHtml } from '../../src/cli/compare-html.js';
import { formatCount } from '../../src/sim/html/format.js';
import { renderHtmlReport } from '../../src/sim/report-html.js';
import { benchFixture } from '../bench/bench-fixture.js';
import {
  chartsWithoutAxisTitle,
  HAS_CHROMIUM,
  launchChromium,
  NO_CHROMIUM_MESSAGE,
  openPage,
  overlappingTexts,
} from '../sim/chromium.js';
import { healthyRunReport } from '../sim/report-fixture.js';

const shots = join(tmpdir(), 'addrspace-pages');
const dir = mkdtempSync(join(tmpdir(), 'addrspace-pages-'));
let browser: Browser;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  if (HAS_CHROMIUM) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens `html`, checks what every page must hold, and returns the page for more. */
async function openChecked(html: string, shot: string) {
  const opened = await openPage(browser, html);
  const { page } = opened;
  expect(await chartsWithoutAxisTitle(page)).toEqual([]);
  expect(await overlappingTexts(page)).toEqual([]);
  await page.screenshot({ path: join(shots, shot), fullPage: true });
  expect(opened.problems).toEqual([]);
  expect(opened.requests).toEqual([]);
  return page;
}

async function panels(page: Awaited<ReturnType<typeof openChecked>>): Promise<string[]> {
  return page
    .locator('section.panel')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-panel') ?? ''));
}

describe.skipIf(HAS_CHROMIUM)('HTML pages in Chromium', () => {
  it.skip(NO_CHROMIUM_MESSAGE, () => {});
});

describe.runIf(HAS_CHROMIUM)('HTML pages in Chromium', () => {
  it('run: the warm-up is shaded and left out of the headline; axis titles; no label overlaps', async () => {
    const report = healthyRunReport();
    expect(report.warmup!.seconds).toBe(0.3);
    const page = await openChecked(renderHtmlReport(report), 'run.png');
    expect(await panels(page)).toEqual(
      expect.arrayContaining(['throughput', 'generation', 'adopt', 'grace', 'mmio', 'update-cost']),
    );
    expect(
      await page.locator('svg[data-chart="throughput"] g.warmup').getAttribute('data-band'),
    ).toBe('JIT warm-up 300 ms');
    expect(await page.locator('[data-card="accesses"] .label').textContent()).toBe(
      'Accesses / s after warm-up',
    );
    expect(await page.locator('[data-card="accesses"] .value').textContent()).toBe(
      formatCount(report.accesses.warmPerSecond!),
    );
    expect(await page.locator('[data-card="accesses"] .detail').textContent()).toContain(
      `${formatCount(report.accesses.perSecond)}/s over the whole run`,
    );
    await page.close();
  });

  it('bench: the strategies side by side in one chart per vCPU count and workload', async () => {
    const report = benchFixture();
    const page = await openChecked(renderBenchHtml(report), 'bench.png');
    expect(await panels(page)).toEqual([
      'throughput',
      'strategies',
      'reader-loop',
      'latency',
      'render',
      'memory',
      'hypervisor-paths',
      'targets',
    ]);
    const charts = await page
      .locator('[data-panel="throughput"] svg.chart')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')));
    expect(charts).toEqual([
      'throughput-1-seq',
      'throughput-1-random',
      'throughput-2-seq',
      'throughput-2-random',
    ]);
    // 2 vCPUs, random: churn 0 has all five strategies, churn 1000 has all but raw.
    const bars = await page
      .locator('svg[data-chart="throughput-2-random"] g.bar-row')
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-group')}|${e.getAttribute('data-bar')}`),
      );
    expect(bars).toEqual([
      'churn 0/s|rcu',
      'churn 0/s|seqlock',
      'churn 0/s|mutex',
      'churn 0/s|none',
      'churn 0/s|raw',
      'churn 1,000/s|rcu',
      'churn 1,000/s|seqlock',
      'churn 1,000/s|mutex',
      'churn 1,000/s|none',
    ]);
    expect(await page.locator('[data-panel="strategies"] tbody tr').count()).toBe(
      report.strategies.length,
    );
    await page.close();
  });

  it('compare: two run reports, headline charts and every key with ratios to A', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const base = healthyRunReport();
    writeFileSync(a, JSON.stringify(base));
    writeFileSync(
      b,
      JSON.stringify({
        ...base,
        strategy: 'seqlock',
        accesses: { ...base.accesses, perSecond: base.accesses.perSecond / 2 },
      }),
    );
    const page = await openChecked(
      renderCompareHtml(compareReports(await loadReports([a, b]))),
      'compare-run.png',
    );
    expect(await panels(page)).toEqual(['files', 'charts', 'table']);
    const row = page.locator('[data-panel="table"] tr', { hasText: 'accesses.perSecond' });
    expect(await row.locator('td').last().textContent()).toBe('0.50x');
    expect(
      await page.locator('svg[data-chart="compare-accesses.perSecond"] g.bar-row').count(),
    ).toBe(2);
    await page.close();
  });

  it('compare: two bench reports, each throughput row side by side', async () => {
    const a = join(dir, 'bench-a.json');
    const b = join(dir, 'bench-b.json');
    writeFileSync(a, JSON.stringify(benchFixture()));
    writeFileSync(b, JSON.stringify(benchFixture(1.25)));
    const page = await openChecked(
      renderCompareHtml(compareReports(await loadReports([a, b]))),
      'compare-bench.png',
    );
    const row = page.locator('[data-panel="table"] tr', {
      hasText: 'strategies[rcu 2 vCPUs random churn 1000].accessesPerSecond',
    });
    expect(await row.locator('td').last().textContent()).toBe('1.25x');
    const groups = await page
      .locator('svg[data-chart="compare-strategies"] g.bar-row')
      .evaluateAll((els) => els.length);
    expect(groups).toBe(benchFixture().strategies.length * 2);
    await page.close();
  });
});
