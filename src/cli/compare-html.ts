/**
 * `renderCompareHtml(comparison)`: the page of `addrspace compare --html FILE`. One chart
 * per headline figure with a bar per report (run reports: throughput, warm throughput,
 * adoption, grace period, MMIO exit, update cost; bench reports: each throughput row),
 * then the whole aligned table with ratios to the first report. Inline CSS and SVG only.
 * It formats the comparison it is given; it reads and writes nothing.
 */
import { renderBarChart } from '../sim/html/bar-chart.js';
import { formatCount, formatMicros } from '../sim/html/format.js';
import { htmlPage, htmlTable, legend, panel } from '../sim/html/page.js';
import { vcpuColour } from '../sim/html/palette.js';
import { escapeHtml } from '../sim/html/svg.js';
import type { ComparedRow, Comparison } from './compare.js';
import { formatRatio, formatValue, reportLetters } from './compare-command.js';

interface Headline {
  readonly key: string;
  readonly label: string;
  readonly title: string;
  readonly format: (v: number) => string;
}

const RUN_HEADLINES: readonly Headline[] = [
  {
    key: 'accesses.perSecond',
    label: 'Accesses per second',
    title: 'guest memory accesses per second (whole run)',
    format: formatCount,
  },
  {
    key: 'accesses.warmPerSecond',
    label: 'Accesses per second after warm-up',
    title: 'guest memory accesses per second (after JIT warm-up)',
    format: formatCount,
  },
  {
    key: 'publish.adoptLatencyUs.p99',
    label: 'Publish to adopt, p99',
    title: 'microseconds (µs)',
    format: formatMicros,
  },
  {
    key: 'publish.gracePeriodUs.p99',
    label: 'Grace period, p99',
    title: 'microseconds (µs)',
    format: formatMicros,
  },
  {
    key: 'mmioExits.latencyUs.p99',
    label: 'MMIO exit round trip, p99',
    title: 'microseconds (µs)',
    format: formatMicros,
  },
  {
    key: 'churn.updateCostUs.p99',
    label: 'Topology update cost, p99',
    title: 'microseconds (µs)',
    format: formatMicros,
  },
];

export function renderCompareHtml(c: Comparison): string {
  const letters = reportLetters(c.reports.length);
  const colours = c.reports.map((_, i) => vcpuColour(i, c.reports.length));
  const byKey = new Map(c.rows.map((r) => [r.key, r]));
  const files = htmlTable(
    ['', 'file', 'what'],
    c.reports.map((r, i) => [{ text: letters[i]! }, { text: r.path }, { text: r.title }]),
  );
  const key = legend(
    c.reports.map((r, i) => ({
      name: `${letters[i]} ${r.path}`,
      colour: colours[i]!,
      shape: 'thick',
    })),
  );
  const charts =
    c.kind === 'run' ? runCharts(byKey, letters, colours) : benchChart(c.rows, letters, colours);
  const table = htmlTable(
    ['key', ...letters.flatMap((l, i) => (i === 0 ? [l] : [l, `${l} / A`]))],
    c.rows.map((row) => [
      { text: row.key },
      ...row.values.flatMap((v, i) => {
        const value = { text: formatValue(v), num: true };
        if (i === 0) return [value];
        const r = row.ratios[i];
        const cls = r === undefined || Math.abs(r - 1) < 0.005 ? '' : 'changed';
        return [value, { text: formatRatio(r), num: true, cls }];
      }),
    ]),
  );
  const body = [
    `<header class="top"><h1>addrspace compare</h1><span class="subtitle">${escapeHtml(`${c.reports.length} ${c.kind} reports, ratios to A`)}</span></header>`,
    panel('files', 'Reports', 'A is the reference: every ratio is a value over A’s.', files),
    panel(
      'charts',
      'Headline figures',
      'The same figure of each report side by side.',
      `${charts}${key}`,
    ),
    panel(
      'table',
      'Every key',
      'Values aligned by key; rows of arrays are matched by what identifies them (strategy, vCPUs, workload, churn, name).',
      table,
    ),
    '<footer>addrspace compare.</footer>',
  ];
  return htmlPage(
    `addrspace compare · ${c.reports.map((r) => r.path).join(' · ')}`,
    body.join('\n'),
  );
}

function bars(
  row: ComparedRow | undefined,
  letters: readonly string[],
  colours: readonly string[],
) {
  if (row === undefined) return [];
  return row.values.flatMap((v, i) =>
    typeof v === 'number'
      ? [
          {
            name: letters[i]!,
            value: v,
            colour: colours[i]!,
            note: i === 0 ? '' : formatRatio(row.ratios[i]),
          },
        ]
      : [],
  );
}

function runCharts(
  byKey: ReadonlyMap<string, ComparedRow>,
  letters: readonly string[],
  colours: readonly string[],
): string {
  return RUN_HEADLINES.filter((h) => byKey.has(h.key))
    .map((h) => {
      const chart = renderBarChart({
        id: `compare-${h.key}`,
        label: h.label,
        groups: [{ label: h.label, bars: bars(byKey.get(h.key), letters, colours) }],
        valueTitle: h.title,
        format: h.format,
      });
      return chart;
    })
    .join('');
}

/** Bench reports: one group per throughput row (`strategies[...]`), a bar per report. */
function benchChart(
  rows: readonly ComparedRow[],
  letters: readonly string[],
  colours: readonly string[],
): string {
  const groups = rows
    .filter((r) => r.key.startsWith('strategies[') && r.key.endsWith('].accessesPerSecond'))
    .map((r) => ({
      label: r.key.slice('strategies['.length, -'].accessesPerSecond'.length),
      bars: bars(r, letters, colours),
    }));
  return renderBarChart({
    id: 'compare-strategies',
    label: 'Accesses per second of each throughput row',
    groups,
    valueTitle: 'guest memory accesses per second (all vCPUs)',
    format: formatCount,
  });
}
