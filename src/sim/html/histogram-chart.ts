/**
 * A latency histogram as an inline SVG string: log-scale buckets as bars of equal width,
 * the p50 and p99 marked as labelled vertical lines, decade labels on the axis, and a
 * `<title>` per bar for the browser's own tooltip. Only the decades that hold samples are
 * drawn. It renders one `HistogramReport`; it computes no statistics.
 */
import type { HistogramReport } from '../report-types.js';
import { formatCount, formatMicros } from './format.js';
import { escapeHtml, linearScale, niceTicks, px } from './svg.js';

export interface HistogramSpec {
  /** `data-chart` of the SVG. */
  readonly id: string;
  readonly label: string;
  readonly histogram: HistogramReport | undefined;
  readonly colour: string;
}

const WIDTH = 460;
const HEIGHT = 226;
const LEFT = 60;
const RIGHT = 12;
const TOP = 30;
const BOTTOM = HEIGHT - 40;
const X_TITLE = 'latency (µs, log scale)';
const Y_TITLE = 'samples';
/** Width a marker label needs beside its line. */
const LABEL_ROOM = 86;

export function renderHistogram(spec: HistogramSpec): string {
  const h = spec.histogram;
  const open = `<svg class="chart histogram" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(spec.label)}"`;
  const range = h ? visibleBuckets(h) : undefined;
  if (!h || !range) {
    return `${open}><rect class="frame" x="${LEFT}" y="${TOP}" width="${WIDTH - LEFT - RIGHT}" height="${BOTTOM - TOP}"/><text class="empty-note" x="${(LEFT + WIDTH - RIGHT) / 2}" y="${(TOP + BOTTOM) / 2}" text-anchor="middle">No samples</text></svg>`;
  }
  const [first, last] = range;
  const buckets = last - first + 1;
  const barWidth = (WIDTH - LEFT - RIGHT) / buckets;
  let maxCount = 0;
  for (let i = first; i <= last; i++) maxCount = Math.max(maxCount, h.counts[i] ?? 0);
  const yTicks = niceTicks(0, maxCount > 0 ? maxCount : 1, 3);
  const y = linearScale(0, yTicks[yTicks.length - 1]!, BOTTOM, TOP);
  const xOfBucket = (i: number) => LEFT + (i - first) * barWidth;

  const parts: string[] = [`${open}>`, '<g class="grid">'];
  for (const t of yTicks) {
    const ty = px(y(t));
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}"/>`);
    parts.push(
      `<text class="y-label" x="${LEFT - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatCount(t))}</text>`,
    );
  }
  for (let i = first; i <= last + 1; i++) {
    const edge = h.edgesUs[i];
    if (edge === undefined || !isDecade(edge)) continue;
    const tx = px(xOfBucket(i));
    parts.push(`<line class="x-tick" x1="${tx}" x2="${tx}" y1="${BOTTOM}" y2="${BOTTOM + 4}"/>`);
    parts.push(
      `<text class="x-label" x="${tx}" y="${BOTTOM + 16}" text-anchor="middle">${escapeHtml(formatMicros(edge))}</text>`,
    );
  }
  const yMid = px((TOP + BOTTOM) / 2);
  parts.push(
    `<text class="axis-title" x="${px((LEFT + WIDTH - RIGHT) / 2)}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(X_TITLE)}</text>`,
    `<text class="axis-title" x="12" y="${yMid}" text-anchor="middle" dominant-baseline="middle" transform="rotate(-90 12 ${yMid})">${Y_TITLE}</text>`,
  );
  parts.push(
    `<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${BOTTOM}" y2="${BOTTOM}"/>`,
  );
  parts.push('</g>');

  for (let i = first; i <= last; i++) {
    const count = h.counts[i] ?? 0;
    if (count === 0) continue;
    const top = y(count);
    const lo = formatMicros(h.edgesUs[i]!);
    const hi = formatMicros(h.edgesUs[i + 1]!);
    parts.push(
      `<rect class="bar" data-count="${count}" x="${px(xOfBucket(i) + 1)}" y="${px(top)}" width="${px(Math.max(1, barWidth - 2))}" height="${px(BOTTOM - top)}" fill="${spec.colour}"><title>${escapeHtml(`${lo} – ${hi}: ${count.toLocaleString('en-US')}`)}</title></rect>`,
    );
  }

  // p50's label sits left of its line and p99's right of its own, so close percentiles
  // do not print over each other; near an edge a label turns inwards.
  const markers: [string, number, number, 'end' | 'start'][] = [
    ['p50', h.p50, 11, 'end'],
    ['p99', h.p99, 24, 'start'],
  ];
  for (const [name, value, labelY, side] of markers) {
    const pos = positionOf(h, value);
    if (pos === undefined || pos < first || pos > last + 1) continue;
    const mx = xOfBucket(pos);
    let anchor = side;
    if (anchor === 'end' && mx < LEFT + LABEL_ROOM) anchor = 'start';
    if (anchor === 'start' && mx > WIDTH - RIGHT - LABEL_ROOM) anchor = 'end';
    const dx = anchor === 'end' ? -4 : 4;
    parts.push(
      `<g class="marker" data-marker="${name}"><line x1="${px(mx)}" x2="${px(mx)}" y1="${labelY - 8}" y2="${BOTTOM}"/><text x="${px(mx + dx)}" y="${labelY}" text-anchor="${anchor}">${name} ${escapeHtml(formatMicros(value))}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * First and last bucket to draw: the non-empty ones, widened to whole decades so the
 * axis starts and ends on a labelled edge. `undefined` when every bucket is empty.
 */
function visibleBuckets(h: HistogramReport): [number, number] | undefined {
  let first = -1;
  let last = -1;
  h.counts.forEach((c, i) => {
    if (c > 0) {
      if (first < 0) first = i;
      last = i;
    }
  });
  if (first < 0) return undefined;
  while (first > 0 && !isDecade(h.edgesUs[first]!)) first--;
  while (last < h.counts.length - 1 && !isDecade(h.edgesUs[last + 1]!)) last++;
  return [first, last];
}

/** Fractional bucket position of `us` (bucket index plus the log-scale fraction). */
function positionOf(h: HistogramReport, us: number): number | undefined {
  if (!(us > 0)) return undefined;
  const edges = h.edgesUs;
  for (let i = 0; i < edges.length - 1; i++) {
    const lo = edges[i]!;
    const hi = edges[i + 1]!;
    if (us < hi || i === edges.length - 2) {
      if (us < lo) return i;
      return Math.min(i + Math.log(us / lo) / Math.log(hi / lo), i + 1);
    }
  }
  return undefined;
}

function isDecade(value: number): boolean {
  const log = Math.log10(value);
  return Math.abs(log - Math.round(log)) < 1e-3;
}
