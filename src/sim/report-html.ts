/**
 * `renderHtmlReport(report)`: one self-contained HTML page for a `RunReport` — headline
 * cards, throughput per vCPU over time with topology changes marked, the published
 * generation over time, latency histograms, per-vCPU and per-kind bars, the first
 * violations and the run parameters. Inline CSS and SVG drawn here, plus a few lines of
 * inline script for hover values; no external resource of any kind.
 *
 * It only formats the report it is given: it never writes files (the CLI does) and
 * never measures anything. Missing extras (histograms, timeline, events) leave their
 * panels with a "No samples" note instead of failing.
 */

import { CHURN_KINDS } from '../machine/churn-kind.js';
import { formatCount, formatMicros, formatSeconds } from './html/format.js';
import { renderHistogram } from './html/histogram-chart.js';
import { type EventRug, type LineChartHoverData, renderLineChart } from './html/line-chart.js';
import { churnColour, vcpuColour } from './html/palette.js';
import {
  churnKindBars,
  countersTable,
  headlineCards,
  parametersTable,
  perVcpuBars,
  titleBlock,
  verdict,
  violationsTable,
  warmedUp,
} from './html/sections.js';
import { REPORT_CSS } from './html/styles.js';
import { escapeHtml, scriptJson } from './html/svg.js';
import { TOOLTIP_SCRIPT } from './html/tooltip-script.js';
import type { HistogramReport, LatencyPercentiles, RunReport } from './report-types.js';
import { round } from './stats.js';

/** The page's ink colour, so the total reads on light and dark backgrounds. */
const TOTAL_COLOUR = 'var(--accent)';
const GENERATION_COLOUR = '#7048e8';
/** The most vCPUs the throughput legend names one by one. */
const LEGEND_VCPUS = 12;
const VCPU_SPECTRUM =
  'linear-gradient(90deg, hsl(0 60% 52%), hsl(120 60% 52%), hsl(240 60% 52%), hsl(360 60% 52%))';

/**
 * One self-contained HTML page for a `RunReport` (what `run --html` writes): headline
 * figures, throughput over time with churn and the JIT warm-up marked, the published
 * generation, latency histograms and the run's parameters. Pure: it writes nothing.
 */
export function renderHtmlReport(report: RunReport): string {
  const hover: Record<string, LineChartHoverData> = {};
  const throughput = throughputPanel(report, hover);
  const generation = generationPanel(report, hover);
  const title = `addrspace run · ${report.machine} · ${report.strategy} · ${report.vcpus} vCPUs · ${verdict(report).text}`;
  const violations =
    report.check.firstViolations.length > 0 || report.check.violations > 0
      ? panel(
          'violations',
          'First violations',
          'What the checker saw, in time order.',
          violationsTable(report.check.firstViolations, report.check.violations),
        )
      : '';
  const countersBody = countersTable(report);
  const counters = countersBody
    ? panel(
        'counters',
        'Faults and device backend',
        'Typed errors are counted, not fatal; the backend does DMA through its own view.',
        countersBody,
      )
    : '';
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
${titleBlock(report)}
${headlineCards(report)}
${throughput}
${generation}
<div class="grid-2">
${histogramPanels(report)}
</div>
<div class="grid-2">
${panel('per-vcpu', 'Accesses per vCPU', 'Average over the run.', perVcpuBars(report))}
${panel('churn-kinds', 'Topology changes by kind', `${report.churn.updates.toLocaleString('en-US')} updates in all.`, churnKindBars(report))}
</div>
${violations}
<div class="grid-2">
${panel('parameters', 'Run parameters', 'Same seed, machine and flags give the same churn sequence.', parametersTable(report))}
${counters}
</div>
<footer>addrspace report, version ${report.version}.</footer>
</main>
<script type="application/json" id="chart-data">${scriptJson(hover)}</script>
<script>${TOOLTIP_SCRIPT}</script>
</body>
</html>
`;
}

function panel(id: string, heading: string, note: string, body: string): string {
  return `<section class="panel" data-panel="${id}"><h2>${escapeHtml(heading)}</h2><p class="note">${escapeHtml(note)}</p>${body}</section>`;
}

function legend(items: readonly { name: string; colour: string; shape: string }[]): string {
  const html = items.map(
    (i) =>
      `<span class="item"><span class="swatch ${i.shape}" style="background:${i.colour}"></span>${escapeHtml(i.name)}</span>`,
  );
  return `<div class="legend">${html.join('')}</div>`;
}

/**
 * Throughput over time as two charts on one time axis: the total on top, one line per
 * vCPU below (each at its own scale, so 64 vCPUs stay as readable as 2), with churn
 * events marked under the lower one.
 */
function throughputPanel(report: RunReport, hover: Record<string, LineChartHoverData>): string {
  const points = report.timeline;
  // A rate point covers the interval since the previous one: draw it at the middle.
  const xs = points.map((p, i) => round((p.t + (i === 0 ? 0 : points[i - 1]!.t)) / 2, 4));
  const perVcpuComplete =
    points.length > 0 && points.every((p) => p.perVcpuAccessesPerSecond?.length === report.vcpus);
  const vcpuSeries = perVcpuComplete
    ? Array.from({ length: report.vcpus }, (_, v) => ({
        name: `vCPU ${v}`,
        colour: vcpuColour(v, report.vcpus),
        values: points.map((p) => p.perVcpuAccessesPerSecond![v]!),
      }))
    : [];
  const rugs = churnRugs(report);
  const totalSeries = {
    name: 'total',
    colour: TOTAL_COLOUR,
    values: points.map((p) => p.accessesPerSecond),
    emphasis: true,
  };
  const band = warmupBand(report);
  const total = renderLineChart({
    id: 'throughput',
    label: 'Total accesses per second over time',
    xs,
    xMax: report.durationSeconds,
    series: [totalSeries],
    yFormat: formatCount,
    yTitle: 'accesses / s (all vCPUs)',
    ...band,
    ...(vcpuSeries.length > 0
      ? { xLabels: false, height: 190 }
      : { rugs, height: 260 + rugs.length * 14 }),
  });
  if (total.hover) hover.throughput = total.hover;
  let perVcpuSvg = '';
  if (vcpuSeries.length > 0) {
    const perVcpu = renderLineChart({
      id: 'throughput-per-vcpu',
      label: 'Accesses per second of each vCPU over time',
      xs,
      xMax: report.durationSeconds,
      series: vcpuSeries,
      yFormat: formatCount,
      yTitle: 'accesses / s per vCPU',
      ...band,
      rugs,
      height: 230 + rugs.length * 14,
    });
    if (perVcpu.hover) hover['throughput-per-vcpu'] = perVcpu.hover;
    perVcpuSvg = `<div class="chart-caption">per vCPU</div>${perVcpu.svg}`;
  }
  // Past a dozen vCPUs one legend entry stands for all their thin lines.
  const vcpuItems =
    vcpuSeries.length > LEGEND_VCPUS
      ? [{ name: `${vcpuSeries.length} vCPUs`, colour: VCPU_SPECTRUM, shape: '' }]
      : vcpuSeries.map((s) => ({ name: s.name, colour: s.colour, shape: '' }));
  const items = [
    { name: 'total', colour: TOTAL_COLOUR, shape: 'thick' },
    ...vcpuItems,
    ...rugs.map((r) => ({
      name: `${r.name} (${r.times.length.toLocaleString('en-US')})`,
      colour: r.colour,
      shape: 'tick',
    })),
  ];
  const dropped = report.churnEventsDropped
    ? ` ${report.churnEventsDropped.toLocaleString('en-US')} later changes are not marked.`
    : '';
  const warm = warmedUp(report)
    ? ` The shaded start is the JIT warm-up (${formatCount(report.warmup!.accessesPerSecond)}/s), left out of the headline figure (${formatCount(report.accesses.warmPerSecond!)}/s after it, ${formatCount(report.accesses.perSecond)}/s over the whole run).`
    : '';
  return panel(
    'throughput',
    'Throughput',
    `Guest memory accesses per second: the total, then each vCPU. Marks under the charts show topology changes by kind.${warm}${dropped}`,
    `<div class="chart-caption">total</div>${total.svg}${perVcpuSvg}${points.length > 0 ? legend(items) : ''}`,
  );
}

/** The JIT warm-up as a shaded band of the throughput charts (none when not found). */
function warmupBand(report: RunReport): { band?: { from: number; to: number; label: string } } {
  if (!warmedUp(report)) return {};
  return {
    band: {
      from: 0,
      to: report.warmup!.seconds,
      label: `JIT warm-up ${formatSeconds(report.warmup!.seconds)}`,
    },
  };
}

/** One rug row per churn kind that was enabled or that has events, in the usual order. */
function churnRugs(report: RunReport): EventRug[] {
  const events = report.churnEvents ?? [];
  if (events.length === 0) return [];
  const kinds = new Set<string>(report.churnKinds ?? []);
  for (const e of events) kinds.add(e.kind);
  const order = [
    ...CHURN_KINDS.filter((k) => kinds.has(k)),
    ...[...kinds].filter((k) => !CHURN_KINDS.includes(k as never)),
  ];
  return order.map((kind) => ({
    name: kind,
    colour: churnColour(kind),
    times: events.filter((e) => e.kind === kind).map((e) => e.t),
  }));
}

function generationPanel(report: RunReport, hover: Record<string, LineChartHoverData>): string {
  const points = report.timeline;
  const chart = renderLineChart({
    id: 'generation',
    label: 'Published generation over time',
    xs: points.map((p) => p.t),
    xMax: report.durationSeconds,
    series: [
      {
        name: 'generation',
        colour: GENERATION_COLOUR,
        values: points.map((p) => p.generation),
        emphasis: true,
      },
    ],
    yFormat: formatCount,
    yTitle: 'generation (count)',
    step: true,
    height: 200,
  });
  if (chart.hover) hover.generation = chart.hover;
  return panel(
    'generation',
    'Published generation',
    `Each topology change publishes a new flat view; ${report.publish.generations.toLocaleString('en-US')} generations in all.`,
    chart.svg,
  );
}

function histogramPanels(report: RunReport): string {
  const h = report.histograms ?? {};
  const panels: [
    string,
    string,
    string,
    HistogramReport | undefined,
    LatencyPercentiles,
    string,
  ][] = [
    [
      'adopt',
      'Publish to adopt',
      'From the publishing store until a vCPU uses the new view.',
      h.adoptLatencyUs,
      report.publish.adoptLatencyUs,
      '#4e79a7',
    ],
    [
      'grace',
      'Grace period',
      'From a publish until every online vCPU has passed a quiescent state.',
      h.gracePeriodUs,
      report.publish.gracePeriodUs,
      '#59a14f',
    ],
    [
      'mmio',
      'MMIO exit round trip',
      'A vCPU posts the exit, the owner runs the device, the vCPU resumes.',
      h.mmioExitUs,
      report.mmioExits.latencyUs,
      '#f28e2b',
    ],
    [
      'update-cost',
      'Topology update cost',
      'Owner time per change: mutate, render, notify listeners, publish.',
      h.updateCostUs,
      report.churn.updateCostUs,
      '#b07aa1',
    ],
  ];
  return panels
    .map(([id, heading, note, histogram, percentiles, colour]) => {
      const svg = renderHistogram({ id, label: `${heading} latency histogram`, histogram, colour });
      const max = 'max' in percentiles ? ` · max ${formatMicros(percentiles.max as number)}` : '';
      const count = histogram ? `n = ${histogram.count.toLocaleString('en-US')} · ` : '';
      const stats = `<div class="stat-line">${escapeHtml(`${count}p50 ${formatMicros(percentiles.p50)} · p99 ${formatMicros(percentiles.p99)}${max}`)}</div>`;
      return panel(id, heading, note, svg + stats);
    })
    .join('\n');
}
