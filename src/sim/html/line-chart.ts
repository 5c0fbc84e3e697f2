/**
 * A time-series line chart as an inline SVG string: several series over a shared time
 * axis, an optional filled area under the emphasised series, and optional "rugs" (rows of
 * ticks) that mark events such as topology changes by kind. Hover data goes out as plain
 * JSON for the report's small tooltip script. It lays out one chart; page structure and
 * styles live elsewhere.
 */
import { areaPath, escapeHtml, linearScale, linePath, niceTicks, px } from './svg.js';

export interface LineSeries {
  readonly name: string;
  readonly colour: string;
  readonly values: readonly number[];
  /** Drawn thicker, on top, with a light area under it. */
  readonly emphasis?: boolean;
}

export interface EventRug {
  readonly name: string;
  readonly colour: string;
  /** Event times, in the same unit as the chart's x values. */
  readonly times: readonly number[];
}

export interface LineChartSpec {
  /** `data-chart` of the SVG, also the key of its hover data. */
  readonly id: string;
  readonly label: string;
  /** Sample times (seconds), ascending; every series has one value per time. */
  readonly xs: readonly number[];
  /** Right end of the time axis (at least the last sample). */
  readonly xMax: number;
  readonly series: readonly LineSeries[];
  readonly yFormat: (value: number) => string;
  /** Hold each value until the next sample (for counters such as generations). */
  readonly step?: boolean;
  readonly rugs?: readonly EventRug[];
  readonly height?: number;
  /** Time labels under the axis (default true); off for a chart stacked above another. */
  readonly xLabels?: boolean;
  /** Title of the value axis, with its unit (`accesses per second`), drawn rotated. */
  readonly yTitle: string;
  /** Title of the time axis (default `time since the run started (s)`), under its labels. */
  readonly xTitle?: string;
  /** Text of an x tick (default seconds: `1.5 s`). */
  readonly xFormat?: (x: number) => string;
  /** A shaded stretch of time with a label, such as the JIT warm-up. */
  readonly band?: { readonly from: number; readonly to: number; readonly label: string };
}

/** What the tooltip script needs to show values under the mouse. */
export interface LineChartHoverData {
  readonly xs: readonly number[];
  readonly series: readonly { name: string; colour: string; values: readonly number[] }[];
}

export interface RenderedChart {
  readonly svg: string;
  readonly hover: LineChartHoverData | undefined;
}

const WIDTH = 960;
const LEFT = 84;
const RIGHT = 16;
const TOP = 14;
const AXIS_LABELS = 22;
/** Room under the time labels for the axis title. */
const X_TITLE = 16;
const DEFAULT_X_TITLE = 'time since the run started (s)';
const RUG_ROW = 11;
const RUG_GAP = 3;
/** Past this many events in a row, ticks merge into a solid bar: draw a density strip. */
const MAX_RUG_TICKS = 1500;
const DENSITY_BINS = 240;

export function renderLineChart(spec: LineChartSpec): RenderedChart {
  const height = spec.height ?? 260;
  const rugs = spec.rugs ?? [];
  const rugBlock = rugs.length === 0 ? 0 : rugs.length * (RUG_ROW + RUG_GAP) + 8;
  const xAxis = spec.xLabels === false ? 6 : AXIS_LABELS + X_TITLE;
  const plotBottom = height - xAxis - rugBlock;
  const plotRight = WIDTH - RIGHT;
  const open = `<svg class="chart line-chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(spec.label)}" preserveAspectRatio="xMidYMid meet"`;

  if (spec.xs.length === 0) {
    return {
      svg: `${open}><rect class="frame" x="${LEFT}" y="${TOP}" width="${plotRight - LEFT}" height="${plotBottom - TOP}"/><text class="empty-note" x="${WIDTH / 2}" y="${(TOP + plotBottom) / 2}" text-anchor="middle">No samples</text></svg>`,
      hover: undefined,
    };
  }

  const xMax = Math.max(spec.xMax, spec.xs[spec.xs.length - 1]!);
  const x = linearScale(0, xMax, LEFT, plotRight);
  let yMax = 0;
  for (const s of spec.series) for (const v of s.values) if (v > yMax) yMax = v;
  const yTicks = niceTicks(0, yMax > 0 ? yMax : 1, 4);
  const y = linearScale(0, yTicks[yTicks.length - 1]!, plotBottom, TOP);
  const xTicks = niceTicks(0, xMax, 8).filter((t) => t <= xMax + 1e-9);

  const parts: string[] = [open];
  parts.push(
    ` data-hover="${escapeHtml(spec.id)}" data-left="${LEFT}" data-right="${plotRight}" data-top="${TOP}" data-bottom="${plotBottom}" data-xmax="${xMax}">`,
  );
  parts.push('<g class="grid">');
  for (const t of yTicks) {
    const ty = px(y(t));
    parts.push(`<line x1="${LEFT}" x2="${plotRight}" y1="${ty}" y2="${ty}"/>`);
    parts.push(
      `<text class="y-label" x="${LEFT - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeHtml(spec.yFormat(t))}</text>`,
    );
  }
  for (const t of spec.xLabels === false ? [] : xTicks) {
    const tx = px(x(t));
    parts.push(
      `<line class="x-tick" x1="${tx}" x2="${tx}" y1="${plotBottom}" y2="${plotBottom + 4}"/>`,
    );
    parts.push(
      `<text class="x-label" x="${tx}" y="${height - 6 - X_TITLE}" text-anchor="middle">${escapeHtml(spec.xFormat === undefined ? `${Number(t.toPrecision(6))} s` : spec.xFormat(t))}</text>`,
    );
  }
  if (spec.xLabels !== false) {
    parts.push(
      `<text class="axis-title" x="${px((LEFT + plotRight) / 2)}" y="${height - 4}" text-anchor="middle">${escapeHtml(spec.xTitle ?? DEFAULT_X_TITLE)}</text>`,
    );
  }
  const yMid = px((TOP + plotBottom) / 2);
  parts.push(
    `<text class="axis-title" x="12" y="${yMid}" text-anchor="middle" dominant-baseline="middle" transform="rotate(-90 12 ${yMid})">${escapeHtml(spec.yTitle)}</text>`,
  );
  parts.push(
    `<line class="axis" x1="${LEFT}" x2="${plotRight}" y1="${plotBottom}" y2="${plotBottom}"/>`,
  );
  parts.push('</g>');

  if (spec.band !== undefined && spec.band.to > spec.band.from) {
    const bx = x(Math.max(0, spec.band.from));
    const bw = x(Math.min(xMax, spec.band.to)) - bx;
    parts.push(
      `<g class="warmup" data-band="${escapeHtml(spec.band.label)}"><rect x="${px(bx)}" y="${TOP}" width="${px(bw)}" height="${px(plotBottom - TOP)}"/><text x="${px(bx + 4)}" y="${TOP + 12}">${escapeHtml(spec.band.label)}</text></g>`,
    );
  }

  const xs = spec.xs.map(x);
  const ordered = [...spec.series].sort(
    (a, b) => Number(a.emphasis ?? 0) - Number(b.emphasis ?? 0),
  );
  for (const s of ordered) {
    const ys = s.values.map((v) => y(Number.isFinite(v) ? v : 0));
    if (s.emphasis) {
      parts.push(
        `<path class="area" d="${areaPath(xs, ys, plotBottom, spec.step)}" style="fill:${s.colour}"/>`,
      );
    }
    parts.push(
      `<path class="series${s.emphasis ? ' emphasis' : ''}" data-series="${escapeHtml(s.name)}" d="${linePath(xs, ys, spec.step)}" style="stroke:${s.colour}"/>`,
    );
    if (xs.length === 1) {
      parts.push(
        `<circle class="dot" cx="${px(xs[0]!)}" cy="${px(ys[0]!)}" r="3" style="fill:${s.colour}"/>`,
      );
    }
  }

  rugs.forEach((rug, row) => {
    const top = plotBottom + 8 + row * (RUG_ROW + RUG_GAP);
    parts.push(
      `<text class="rug-label" x="${LEFT - 8}" y="${px(top + RUG_ROW / 2)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(rug.name)}</text>`,
    );
    parts.push(
      rug.times.length <= MAX_RUG_TICKS
        ? rugTicks(rug, top, x)
        : rugDensity(rug, top, xMax, LEFT, plotRight),
    );
  });

  parts.push(
    `<line class="guide" x1="0" x2="0" y1="${TOP}" y2="${plotBottom}" visibility="hidden"/>`,
  );
  parts.push('</svg>');
  return {
    svg: parts.join(''),
    hover: {
      xs: spec.xs,
      series: spec.series.map((s) => ({ name: s.name, colour: s.colour, values: s.values })),
    },
  };
}

/** One tick per event, all in one path. */
function rugTicks(rug: EventRug, top: number, x: (t: number) => number): string {
  let d = '';
  for (const t of rug.times) d += `M${px(x(t))} ${top}v${RUG_ROW}`;
  return `<path class="rug" data-kind="${escapeHtml(rug.name)}" data-events="${rug.times.length}" d="${d}" style="stroke:${rug.colour}"/>`;
}

/** Events counted in equal time bins; each bin's opacity shows its share of the busiest. */
function rugDensity(rug: EventRug, top: number, xMax: number, left: number, right: number): string {
  const counts = new Array<number>(DENSITY_BINS).fill(0);
  for (const t of rug.times) {
    const bin = Math.min(DENSITY_BINS - 1, Math.max(0, Math.floor((t / xMax) * DENSITY_BINS)));
    counts[bin]! += 1;
  }
  const busiest = Math.max(...counts);
  const width = (right - left) / DENSITY_BINS;
  const cells = counts.map((c, i) =>
    c === 0
      ? ''
      : `<rect x="${px(left + i * width)}" y="${top}" width="${px(width + 0.3)}" height="${RUG_ROW}" opacity="${(0.2 + (0.8 * c) / busiest).toFixed(2)}"/>`,
  );
  return `<g class="rug density" data-kind="${escapeHtml(rug.name)}" data-events="${rug.times.length}" style="fill:${rug.colour}">${cells.join('')}</g>`;
}
