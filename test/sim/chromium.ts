/**
 * Headless Chromium for the HTML page tests: Debian's `/usr/bin/chromium` driven by
 * playwright-core (a test tool's own browser download cannot work here). `HAS_CHROMIUM`
 * says whether it is there: the page tests skip, saying why, where it is not (.ci/run
 * installs it). `openPage` loads one page and records console errors and warnings, page
 * errors and every request; `overlappingTexts` lists the SVG labels that print over
 * each other.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, or the browser that `ADDRSPACE_CHROMIUM` names. */
export const CHROMIUM_PATH = process.env.ADDRSPACE_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
export const NO_CHROMIUM_MESSAGE = `SKIPPED: no Chromium at ${CHROMIUM_PATH}, so the HTML pages are not opened in a browser (apt-get install chromium; .ci/run does)`;

if (!HAS_CHROMIUM) process.stderr.write(`${NO_CHROMIUM_MESSAGE}\n`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface OpenedPage {
  readonly page: Page;
  /** Console errors and warnings, and page errors. */
  readonly problems: string[];
  /** Every URL the page asked for (a self-contained page asks for none). */
  readonly requests: string[];
}

export async function openPage(browser: Browser, html: string, width = 1240): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== 'about:blank') requests.push(r.url());
  });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, problems, requests };
}

/** The few DOM members the checks below use (the tests compile without the DOM lib). */
interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}
interface El {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  getBoundingClientRect(): Box;
}

/**
 * Pairs of SVG `<text>` labels in one chart whose drawn boxes intersect (by more than
 * half a pixel each way), as `chart: "a" / "b"`; empty when every label stands free.
 */
export function overlappingTexts(page: Page): Promise<string[]> {
  return page.locator('svg.chart').evaluateAll((svgs) => {
    const found: string[] = [];
    for (const svg of svgs as unknown as El[]) {
      const boxes = Array.from(svg.querySelectorAll('text'))
        .filter((t) => (t.textContent ?? '').trim() !== '')
        .map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.box;
          const b = boxes[j]!.box;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 0.5 && h > 0.5) {
            found.push(
              `${svg.getAttribute('data-chart')}: "${boxes[i]!.text}" / "${boxes[j]!.text}"`,
            );
          }
        }
      }
    }
    return found;
  });
}

/** Charts (by `data-chart`) that have no axis title. */
export function chartsWithoutAxisTitle(page: Page): Promise<string[]> {
  return page
    .locator('svg.chart')
    .evaluateAll((svgs) =>
      (svgs as unknown as El[])
        .filter((svg) => svg.querySelector('text.axis-title') === null)
        .map((svg) => svg.getAttribute('data-chart') ?? '?'),
    );
}
