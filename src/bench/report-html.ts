/**
 * `renderBenchHtml(report)`: one self-contained HTML page for a `BenchReport`
 * (`addrspace bench --html FILE`): the strategies side by side — one bar chart per vCPU
 * count and workload, a bar per strategy at each churn rate, with the ratio to `none` —
 * then the rows as a table, the reader loops, latencies, render cost, memory and the
 * targets. Inline CSS and SVG only (sim/html), no script and no external resource.
 *
 * It only formats the report it is given: it never measures and never writes files.
 */
import { renderBarChart } from '../sim/html/bar-chart.js';
import { formatBytes, formatCount, formatMicros } from '../sim/html/format.js';
import { htmlPage, htmlTable, legend, panel } from '../sim/html/page.js';
import { vcpuColour } from '../sim/html/palette.js';
import { escapeHtml } from '../sim/html/svg.js';
import type { BenchReport, BenchStrategyRow } from './report-types.js';

export function renderBenchHtml(report: BenchReport): string {
  const strategies = strategyOrder(report.strategies);
  const colours = new Map(strategies.map((s, i) => [s, vcpuColour(i, strategies.length)]));
  const keyLegend = legend(
    strategies.map((s) => ({ name: s, colour: colours.get(s)!, shape: 'thick' })),
  );
  const sections = [
    header(report),
    panel(
      'throughput',
      'Throughput by strategy',
      'Guest memory accesses per second of all vCPUs together (median round), the strategies side by side at each churn rate; the ratio is to the none row of the same vCPUs, workload and churn.',
      `${throughputCharts(report.strategies, colours, 'throughput')}${keyLegend}`,
    ),
    panel(
      'strategies',
      'Throughput rows',
      'Every measured row, as in bench --json.',
      strategyTable(report.strategies),
    ),
  ];
  if ((report.readerLoop ?? []).length > 0) {
    sections.push(
      panel(
        'reader-loop',
        'Bare reader loops',
        'The same strategies reading RAM sequentially in bare loops: the readers’ own cost.',
        `${throughputCharts(report.readerLoop ?? [], colours, 'reader-loop')}${keyLegend}`,
      ),
    );
  }
  if ((report.latency ?? []).length > 0) sections.push(latencyPanel(report));
  if (report.render.length > 0) sections.push(renderPanel(report));
  if ((report.memory ?? []).length > 0) sections.push(memoryPanel(report));
  if ((report.doorbells ?? []).length > 0 || (report.dirtyLog ?? []).length > 0) {
    sections.push(hypervisorPanel(report));
  }
  if ((report.targets ?? []).length > 0) sections.push(targetsPanel(report));
  sections.push(`<footer>addrspace bench report, version ${report.version ?? 1}.</footer>`);
  return htmlPage(`addrspace bench · ${strategies.join(', ')}`, sections.join('\n'));
}

function header(report: BenchReport): string {
  const sub = [
    report.quick ? 'quick' : undefined,
    report.rounds !== undefined && report.roundSeconds !== undefined
      ? `${report.rounds} round(s) of ${report.roundSeconds * 1000} ms per row`
      : undefined,
    report.durationSeconds !== undefined ? `${report.durationSeconds} s in all` : undefined,
    report.environment
      ? `Node.js ${report.environment.node}, ${report.environment.cpus} CPUs`
      : undefined,
    report.startedAt,
  ].filter((s): s is string => s !== undefined);
  const badge = report.interrupted ? '<span class="badge warn">interrupted</span>' : '';
  return `<header class="top"><h1>addrspace bench</h1><span class="subtitle">${escapeHtml(sub.join(' · '))}</span>${badge}</header>`;
}

/** Strategies in the order they first appear, `none` and `raw` (the baselines) last. */
function strategyOrder(rows: readonly BenchStrategyRow[]): string[] {
  const seen = [...new Set(rows.map((r) => r.strategy as string))];
  const baselines = ['none', 'raw'].filter((b) => seen.includes(b));
  return [...seen.filter((s) => !baselines.includes(s)), ...baselines];
}

/** One chart per (vCPUs, workload); groups are churn rates, bars are strategies. */
function throughputCharts(
  rows: readonly BenchStrategyRow[],
  colours: ReadonlyMap<string, string>,
  id: string,
): string {
  const keys = [...new Set(rows.map((r) => `${r.vcpus}|${r.workload}`))];
  const order = strategyOrder(rows);
  return keys
    .map((key) => {
      const [vcpus, workload] = key.split('|');
      const mine = rows.filter((r) => `${r.vcpus}|${r.workload}` === key);
      const churns = [...new Set(mine.map((r) => r.churnPerSecond))].sort((a, b) => a - b);
      const groups = churns.map((churn) => ({
        label: `churn ${formatCount(churn)}/s`,
        bars: mine
          .filter((r) => r.churnPerSecond === churn)
          .sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy))
          .map((r) => ({
            name: r.strategy,
            value: r.accessesPerSecond,
            colour: colours.get(r.strategy) ?? '#868e96',
            note: Number.isFinite(r.ratioToNone) ? `${r.ratioToNone.toFixed(2)}x none` : '',
          })),
      }));
      const title = `${vcpus} vCPU${vcpus === '1' ? '' : 's'} · ${workload} workload`;
      const chart = renderBarChart({
        id: `${id}-${vcpus}-${workload}`,
        label: `Accesses per second by strategy, ${title}`,
        groups,
        valueTitle: 'guest memory accesses per second (all vCPUs)',
        format: formatCount,
      });
      return `<div class="chart-caption">${escapeHtml(title)}</div>${chart}`;
    })
    .join('');
}

function ratio(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}x`;
}

function strategyTable(rows: readonly BenchStrategyRow[]): string {
  return htmlTable(
    ['strategy', 'vCPUs', 'workload', 'churn /s', 'accesses /s', 'vs none', 'vs raw', 'vCPU busy'],
    rows.map((r) => [
      { text: r.strategy },
      { text: String(r.vcpus), num: true },
      { text: r.workload },
      { text: formatCount(r.churnPerSecond), num: true },
      { text: formatCount(r.accessesPerSecond), num: true },
      { text: ratio(r.ratioToNone), num: true },
      { text: ratio(r.ratioToRaw), num: true },
      { text: r.vcpuBusy === undefined ? '–' : `${Math.round(r.vcpuBusy * 100)}%`, num: true },
    ]),
  );
}

function latencyPanel(report: BenchReport): string {
  const rows = report.latency ?? [];
  return panel(
    'latency',
    'Latency while vCPUs run',
    'Microseconds per event: adoption of a new view, grace periods, MMIO exit round trips.',
    htmlTable(
      ['what', 'strategy', 'vCPUs', 'batch', 'samples', 'p50', 'p99', 'max'],
      rows.map((r) => [
        { text: r.name },
        { text: r.strategy ?? '–' },
        { text: r.vcpus === undefined ? '–' : String(r.vcpus), num: true },
        { text: r.batch === undefined ? '–' : String(r.batch), num: true },
        { text: formatCount(r.samples), num: true },
        { text: formatMicros(r.p50Us), num: true },
        { text: formatMicros(r.p99Us), num: true },
        { text: formatMicros(r.maxUs), num: true },
      ]),
    ),
  );
}

function renderPanel(report: BenchReport): string {
  const chart = renderBarChart({
    id: 'render',
    label: 'Flat view render cost by tree size',
    groups: report.render.map((r) => ({
      label: `${formatCount(r.regions)} leaves`,
      bars: [
        { name: 'full render', value: r.fullRenderUs, colour: '#4e79a7' },
        { name: 'one change', value: r.singleChangeUs, colour: '#f28e2b' },
        ...(r.singleChangePublishedUs === undefined
          ? []
          : [
              { name: 'one change + publish', value: r.singleChangePublishedUs, colour: '#59a14f' },
            ]),
      ],
    })),
    valueTitle: 'microseconds per render (µs)',
    format: formatMicros,
  });
  return panel(
    'render',
    'Render cost',
    'Owner time to render a flat view from the region tree, in full and after one change.',
    chart,
  );
}

function memoryPanel(report: BenchReport): string {
  return panel(
    'memory',
    'Resident memory of a lazily committed guest',
    'Growth of the resident set after touching part of a large guest.',
    htmlTable(
      ['guest', 'touched', 'resident', 'resident / touched'],
      (report.memory ?? []).map((m) => [
        { text: formatBytes(m.guestBytes), num: true },
        { text: formatBytes(m.touchedBytes), num: true },
        { text: formatBytes(m.residentBytes), num: true },
        { text: `${m.residentPerTouched.toFixed(2)}x`, num: true },
      ]),
    ),
  );
}

/** Doorbells with and without hyp_ioevtfd, and writes with dirty logging off and on. */
function hypervisorPanel(report: BenchReport): string {
  const doorbells = htmlTable(
    ['doorbell path', 'hyp_ioevtfd', 'doorbells /s', 'ns each', 'exits each', 'vCPU signals each'],
    (report.doorbells ?? []).map((r) => [
      { text: r.path },
      { text: r.hypIoeventfd ? 'on' : 'off' },
      { text: formatCount(r.doorbellsPerSecond), num: true },
      { text: formatCount(r.nsPerDoorbell), num: true },
      { text: r.exitsPerDoorbell.toFixed(2), num: true },
      { text: r.vcpuSignalsPerDoorbell.toFixed(2), num: true },
    ]),
  );
  const dirty = htmlTable(
    ['strategy', 'vCPUs', 'workload', 'dirty log', 'writes /s', 'ns each', 'vs off'],
    (report.dirtyLog ?? []).map((r) => [
      { text: r.strategy },
      { text: String(r.vcpus), num: true },
      { text: r.workload },
      { text: r.logging },
      { text: formatCount(r.writesPerSecond), num: true },
      { text: formatCount(r.nsPerWrite), num: true },
      { text: ratio(r.ratioToOff), num: true },
    ]),
  );
  return panel(
    'hypervisor-paths',
    'Doorbells and dirty logging',
    'Doorbell writes signalled in the vCPU (hyp_ioevtfd on) or exiting to the owner (off); RAM writes with dirty logging off and on.',
    `${doorbells}${dirty}`,
  );
}

function targetsPanel(report: BenchReport): string {
  return panel(
    'targets',
    'Targets',
    'The benchmark targets judged on this run’s numbers.',
    htmlTable(
      ['target', 'wanted', 'measured', 'met'],
      (report.targets ?? []).map((t) => [
        { text: t.name },
        { text: t.target },
        { text: t.measured },
        {
          text: t.met === null ? 'not measured' : t.met ? 'yes' : 'no',
          cls: t.met === null ? '' : t.met ? 'better' : 'worse',
        },
      ]),
    ),
  );
}
