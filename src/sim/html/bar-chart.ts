/**
 * A grouped horizontal bar chart as an inline SVG string, for values side by side
 * (strategies of a bench, reports of a compare): one block per group under its own label
 * row, one bar per item named on the left, each bar's value at its end, value ticks and an axis
 * title under the plot. Horizontal bars keep long labels readable and never overlap: each
 * bar has its own row. It lays out one chart; page structure and styles live elsewhere.
 */
import { escapeHtml, linearScale, niceTicks, px } from './svg.js';

export interface Bar {
  readonly name: string;
  readonly value: number;
  readonly colour: string;
  /** Extra text after the value (`1.00x`). */
  readonly note?: string;
}

export interface BarGroup {
  readonly label: string;
  readonly bars: readonly Bar[];
}

export interface BarChartSpec {
  /** `data-chart` of the SVG. */
  readonly id: string;
  readonly label: string;
  readonly groups: readonly BarGroup[];
  /** Title of the value axis, with its unit (`accesses per second`). */
  readonly valueTitle: string;
  readonly format: (value: number) => string;
}

const WIDTH = 960;
const LEFT = 230;
const RIGHT = 150;
const TOP = 8;
const BAR = 14;
const BAR_GAP = 3;
const GROUP_GAP = 8;
const GROUP_LABEL = 18;
const AXIS = 40;

export function renderBarChart(spec: BarChartSpec): string {
  const rows = spec.groups.reduce((n, g) => n + g.bars.length, 0);
  const plotHeight =
    rows * (BAR + BAR_GAP) +
    spec.groups.length * GROUP_LABEL +
    Math.max(0, spec.groups.length - 1) * GROUP_GAP +
    BAR_GAP;
  const height = TOP + plotHeight + AXIS;
  const open = `<svg class="chart bar-chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(spec.label)}">`;
  if (rows === 0) {
    return `${open}<text class="empty-note" x="${WIDTH / 2}" y="${height / 2}" text-anchor="middle">No rows</text></svg>`;
  }
  let max = 0;
  for (const g of spec.groups) for (const b of g.bars) if (b.value > max) max = b.value;
  const ticks = niceTicks(0, max > 0 ? max : 1, 5);
  const plotRight = WIDTH - RIGHT;
  const x = linearScale(0, ticks[ticks.length - 1]!, LEFT, plotRight);
  const bottom = TOP + plotHeight;
  const parts: string[] = [open, '<g class="grid">'];
  for (const t of ticks) {
    const tx = px(x(t));
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${TOP}" y2="${bottom}"/>`);
    parts.push(
      `<text class="x-label" x="${tx}" y="${bottom + 14}" text-anchor="middle">${escapeHtml(spec.format(t))}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${plotRight}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push('</g>');
  parts.push(
    `<text class="axis-title" x="${px((LEFT + plotRight) / 2)}" y="${bottom + 32}" text-anchor="middle">${escapeHtml(spec.valueTitle)}</text>`,
  );
  let y = TOP + BAR_GAP;
  for (const group of spec.groups) {
    parts.push(
      `<text class="group-label" x="8" y="${px(y + GROUP_LABEL / 2)}" dominant-baseline="middle">${escapeHtml(group.label)}</text>`,
    );
    y += GROUP_LABEL;
    for (const bar of group.bars) {
      const width = Math.max(0, x(Number.isFinite(bar.value) ? bar.value : 0) - LEFT);
      const value = `${spec.format(bar.value)}${bar.note ? ` · ${bar.note}` : ''}`;
      parts.push(
        `<g class="bar-row" data-group="${escapeHtml(group.label)}" data-bar="${escapeHtml(bar.name)}">`,
        `<title>${escapeHtml(`${group.label} · ${bar.name}: ${value}`)}</title>`,
        `<text class="bar-name" x="${LEFT - 6}" y="${px(y + BAR / 2)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(bar.name)}</text>`,
        `<rect class="bar" x="${LEFT}" y="${px(y)}" width="${px(width)}" height="${BAR}" style="fill:${bar.colour}"/>`,
        `<text class="bar-value" x="${px(LEFT + width + 5)}" y="${px(y + BAR / 2)}" dominant-baseline="middle">${escapeHtml(value)}</text>`,
        '</g>',
      );
      y += BAR + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  parts.push('</svg>');
  return parts.join('');
}
