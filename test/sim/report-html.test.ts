/**
 * The HTML run report, opened in headless Chromium: every chart renders with the
 * expected series and bars, the page loads nothing from outside, and the console stays
 * clean. Writes a screenshot of the healthy report to /tmp/report.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/sim/report-html.js';
import type { RunReport } from '../../src/sim/report-types.js';
import { HAS_CHROMIUM, launchChromium, NO_CHROMIUM_MESSAGE } from './chromium.js';
import {
  bigRunReport,
  emptyRunReport,
  FIXTURE_POINTS,
  FIXTURE_VCPUS,
  healthyRunReport,
  violatingRunReport,
} from './report-fixture.js';

let browser: Browser;

beforeAll(async () => {
  if (HAS_CHROMIUM) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  readonly page: Page;
  /** Console errors and warnings, page errors, and every request the page made. */
  readonly problems: string[];
  readonly requests: string[];
}

async function open(report: RunReport, width = 1240): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.setContent(renderHtmlReport(report), { waitUntil: 'load' });
  return { page, problems, requests };
}

function count(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count();
}

describe.skipIf(HAS_CHROMIUM)('HTML run report in Chromium', () => {
  it.skip(NO_CHROMIUM_MESSAGE, () => {});
});

describe.runIf(HAS_CHROMIUM)('HTML run report in Chromium', () => {
  it('draws every chart of a healthy run and takes a screenshot', async () => {
    const report = healthyRunReport();
    const { page, problems, requests } = await open(report);

    // Throughput: the total, then one line per vCPU with one rug row per churn kind.
    expect(await count(page, 'svg[data-chart="throughput"] path.series')).toBe(1);
    const perVcpu = 'svg[data-chart="throughput-per-vcpu"]';
    expect(await count(page, `${perVcpu} path.series`)).toBe(FIXTURE_VCPUS);
    const names = await page
      .locator(`${perVcpu} path.series`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-series')));
    expect(names).toEqual(['vCPU 0', 'vCPU 1', 'vCPU 2', 'vCPU 3']);
    expect(await count(page, `${perVcpu} path.rug`)).toBe(5);
    // Each rug has one tick (one "M") per event of its kind.
    const ticks = await page
      .locator(`${perVcpu} path.rug`)
      .evaluateAll((els) => els.map((e) => (e.getAttribute('d') ?? '').split('M').length - 1));
    expect(ticks).toEqual(
      ['hotplug', 'bar', 'romd', 'alias', 'ioeventfd'].map(
        (kind) => report.churnEvents!.filter((e) => e.kind === kind).length,
      ),
    );
    // Every series path has one point per timeline sample.
    const total = await page
      .locator('svg[data-chart="throughput"] path.series[data-series="total"]')
      .getAttribute('d');
    expect(total!.split(/[ML]/).length - 1).toBe(FIXTURE_POINTS);

    expect(await count(page, 'svg[data-chart="generation"] path.series')).toBe(1);

    // Histograms: one bar per non-empty bucket, p50 and p99 marked.
    for (const [id, key] of [
      ['adopt', 'adoptLatencyUs'],
      ['grace', 'gracePeriodUs'],
      ['mmio', 'mmioExitUs'],
      ['update-cost', 'updateCostUs'],
    ] as const) {
      const h = report.histograms![key]!;
      const nonEmpty = h.counts.filter((c) => c > 0).length;
      expect(nonEmpty).toBeGreaterThan(5);
      expect(await count(page, `svg[data-chart="${id}"] rect.bar`)).toBe(nonEmpty);
      expect(await count(page, `svg[data-chart="${id}"] .marker`)).toBe(2);
      const heights = await page
        .locator(`svg[data-chart="${id}"] rect.bar`)
        .evaluateAll((els) =>
          els.map((e) => (e as unknown as { getBBox(): { height: number } }).getBBox().height),
        );
      expect(Math.max(...heights)).toBeGreaterThan(100);
    }

    // Cards and bars.
    expect(await page.locator('[data-card="violations"]').getAttribute('class')).toBe('card good');
    expect(await page.locator('[data-card="violations"] .value').textContent()).toBe('0');
    expect(await page.locator('[data-verdict]').textContent()).toBe('no violations');
    expect(await count(page, '[data-panel="per-vcpu"] tr')).toBe(FIXTURE_VCPUS);
    expect(await count(page, '[data-panel="churn-kinds"] tr')).toBe(5);
    expect(await count(page, '[data-panel="violations"]')).toBe(0);
    expect(
      await page
        .locator('[data-panel="counters"] tr')
        .evaluateAll((rows) =>
          rows.map((r) =>
            Array.from(
              (r as unknown as { children: ArrayLike<{ textContent: string | null }> }).children,
              (c) => c.textContent,
            ),
          ),
        ),
    ).toEqual([
      ['topology updates refused', '2'],
      ['vCPU access faults', '5 (RegionNotFound 3, RegionType 2, IoAccess 0)'],
      ['vCPU threads lost', '0'],
      ['device backend requests', '4,122'],
      ['device backend DMA accesses', '8,244'],
      ['doorbell signals consumed', '4,122'],
      ['device backend faults', '0 (reattached 0)'],
    ]);

    // The tooltip shows values under the mouse.
    const box = (await page.locator('svg[data-chart="throughput"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    const tip = page.locator('[data-panel="throughput"] .tooltip').first();
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toContain('total');
    await page.mouse.move(0, 0);

    await page.screenshot({ path: '/tmp/report.png', fullPage: true });
    expect(problems).toEqual([]);
    expect(requests.filter((u) => u !== 'about:blank')).toEqual([]);
    await page.close();
  });

  it('shows violations in red with a table of the first ones, escaped', async () => {
    const { page, problems } = await open(violatingRunReport());
    expect(await page.locator('[data-card="violations"]').getAttribute('class')).toBe('card bad');
    expect(await page.locator('[data-card="violations"] .value').textContent()).toBe('17');
    expect(await page.locator('[data-verdict]').textContent()).toBe('17 violations');
    expect(await count(page, 'table.violations tbody tr')).toBe(3);
    const first = await page.locator('table.violations tbody tr').first().locator('td');
    expect(await first.allTextContents()).toEqual([
      '1.203 s',
      'poison',
      '1',
      '1204',
      '0x100200040',
      '0x5A5A5A5A11223344',
      '0xDEADDEADDEADDEAD',
      'read poison through hotplug block 3 after its grace period ended',
    ]);
    expect(await page.locator('table.violations').textContent()).toContain(
      'halves of two writes <script>',
    );
    expect(await page.locator('[data-panel="violations"] .note').last().textContent()).toBe(
      'Showing the first 3 of 17.',
    );
    expect(await page.getByText('unsafe strategy: no synchronisation').count()).toBe(1);
    await page.screenshot({ path: '/tmp/report-violations.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a report with no samples at all without errors', async () => {
    const { page, problems, requests } = await open(emptyRunReport(), 800);
    expect(await count(page, 'svg.chart')).toBe(6);
    expect(await count(page, 'path.series')).toBe(0);
    expect(await count(page, 'rect.bar')).toBe(0);
    expect(await page.getByText('No samples').count()).toBe(6);
    expect(await page.locator('[data-verdict]').textContent()).toBe('checks off');
    expect(await page.locator('[data-card="violations"] .value').textContent()).toBe('off');
    expect(await count(page, '[data-panel="counters"]')).toBe(0);
    await page.mouse.move(400, 300);
    await page.screenshot({ path: '/tmp/report-empty.png', fullPage: true });
    expect(problems).toEqual([]);
    expect(requests.filter((u) => u !== 'about:blank')).toEqual([]);
    await page.close();
  });

  it('keeps a 64-vCPU, 60 s run readable: one legend entry for all vCPUs', async () => {
    const report = bigRunReport();
    const started = performance.now();
    const html = renderHtmlReport(report);
    const renderMs = performance.now() - started;
    expect(renderMs).toBeLessThan(1000);
    expect(html.length).toBeLessThan(3_000_000);
    const { page, problems } = await open(report);
    expect(await count(page, 'svg[data-chart="throughput"] path.series')).toBe(1);
    const perVcpu = 'svg[data-chart="throughput-per-vcpu"]';
    expect(await count(page, `${perVcpu} path.series`)).toBe(64);
    // 4000 events per kind are too many for ticks: each row becomes a density strip.
    const strips = await page
      .locator(`${perVcpu} g.rug.density`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-events')));
    expect(strips).toEqual(['4000', '4000', '4000', '4000', '4000']);
    expect(await count(page, '[data-panel="throughput"] .legend .item')).toBe(2 + 5);
    expect(await page.locator('[data-panel="throughput"] .legend').textContent()).toContain(
      '64 vCPUs',
    );
    expect(await page.locator('[data-panel="throughput"] .note').textContent()).toContain(
      '40,123 later changes are not marked.',
    );
    const box = (await page.locator(perVcpu).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    const tip = page.locator('[data-panel="throughput"] .tooltip').nth(1);
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toContain('… 52 more');
    await page.screenshot({ path: '/tmp/report-big.png' });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('HTML run report as text', () => {
  it('stays one self-contained document', () => {
    const html = renderHtmlReport(healthyRunReport());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('@import');
  });
});
