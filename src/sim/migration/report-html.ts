/**
 * `renderMigrationHtml(report)`: one self-contained page for a `MigrationReport`: the
 * verdict, dirty pages and pages sent per round (a line chart from the run report's
 * chart helpers, x = round number), the rounds as a table, the comparison. Formats only;
 * the CLI writes the file.
 */
import { formatBytes, formatCount } from '../html/format.js';
import { type LineChartHoverData, renderLineChart } from '../html/line-chart.js';
import { REPORT_CSS } from '../html/styles.js';
import { escapeHtml, scriptJson } from '../html/svg.js';
import { TOOLTIP_SCRIPT } from '../html/tooltip-script.js';
import type { MigrationReport } from './report.js';

const DIRTY_COLOUR = '#e8590c';
const SENT_COLOUR = 'var(--accent)';

export function renderMigrationHtml(report: MigrationReport): string {
  const ok = report.compare.differingPages === 0;
  const verdict = ok ? 'identical' : `${formatCount(report.compare.differingPages)} pages differ`;
  const title = `addrspace migrate · ${report.machine} · ${report.strategy} · ${verdict}`;
  const xs = report.rounds.map((_, i) => i);
  const chart = renderLineChart({
    id: 'rounds',
    label: 'pages per round',
    xs,
    xMax: Math.max(1, xs.length - 1),
    series: [
      { name: 'dirty pages', colour: DIRTY_COLOUR, values: report.rounds.map((r) => r.dirtyPages) },
      {
        name: 'pages sent',
        colour: SENT_COLOUR,
        values: report.rounds.map((r) => r.sentPages),
        emphasis: true,
      },
    ],
    yFormat: formatCount,
    step: true,
  });
  const hover: Record<string, LineChartHoverData> = {};
  if (chart.hover !== undefined) hover.rounds = chart.hover;
  const rows = report.rounds
    .map(
      (r, i) =>
        `<tr><td>${r.stopAndCopy ? 'stop-and-copy' : i}</td><td>${formatCount(r.dirtyPages)}</td><td>${formatCount(r.sentPages)}</td><td>${formatBytes(r.bytes)}</td><td>${r.durationMs} ms</td></tr>`,
    )
    .join('');
  const diffs = report.compare.firstDifferences
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.mapping)}</td><td>${d.page}</td><td>${d.gpa < 0 ? '-' : `0x${d.gpa.toString(16).toUpperCase()}`}</td></tr>`,
    )
    .join('');
  const facts: [string, string][] = [
    ['result', ok ? 'every byte matches' : verdict],
    ['dirty log', report.dirtyLog ? 'on' : 'off (--no-dirty-log)'],
    ['converged', report.converged ? 'yes' : 'no'],
    ['downtime', `${report.downtimeMs} ms (limit ${report.downtimeLimitMs} ms)`],
    ['bandwidth', `${report.bandwidthMiBps} MiB/s`],
    ['sent', formatBytes(report.bytesSent)],
    ['dirty rate', `${formatCount(report.dirtyRate.pagesPerSecond)} pages/s`],
    ['vCPUs', `${report.vcpus}, ${report.workload} workload`],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title)}</h1></header>
<section class="panel" data-panel="facts"><h2>Migration</h2><table>${facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table></section>
<section class="panel" data-panel="rounds"><h2>Dirty pages and pages sent per round</h2><p class="note">Round 0 sends every page; the last round is the stop-and-copy with the vCPUs paused.</p>${chart.svg}
<table><tr><th>round</th><th>dirty pages</th><th>pages sent</th><th>bytes</th><th>duration</th></tr>${rows}</table></section>
<section class="panel" data-panel="compare"><h2>Comparison</h2><p class="note">${formatCount(report.compare.pages)} pages compared byte for byte, ${formatCount(report.compare.differingPages)} differ.</p>${diffs === '' ? '' : `<table><tr><th>mapping</th><th>page</th><th>GPA</th></tr>${diffs}</table>`}</section>
</main>
<script type="application/json" id="chart-data">${scriptJson(hover)}</script>
<script>${TOOLTIP_SCRIPT}</script>
</body>
</html>
`;
}
