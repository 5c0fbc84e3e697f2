/**
 * Small building blocks for hand-written SVG and HTML: escaping, "nice" axis ticks,
 * linear scales and polyline paths. No DOM, no dependencies: everything returns strings
 * that the report pages concatenate. It draws no chart by itself.
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** Coordinates for SVG attributes: at most two decimals. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * Round tick values covering `[0, max]` with about `count` steps of 1, 2 or 5 times a
 * power of ten. `niceTicks(0, 870, 5)` → `[0, 200, 400, 600, 800, 1000]`.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min, min + 1];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 0.999; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** Maps `[d0, d1]` onto `[r0, r1]`; a degenerate domain maps everything to `r0`. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (!(span !== 0) || !Number.isFinite(span)) return () => r0;
  const k = (r1 - r0) / span;
  return (v) => r0 + (v - d0) * k;
}

/** An SVG path through the points; `step` draws a staircase (value held until the next x). */
export function linePath(xs: readonly number[], ys: readonly number[], step = false): string {
  let d = '';
  for (let i = 0; i < xs.length; i++) {
    const x = px(xs[i]!);
    const y = px(ys[i]!);
    if (i === 0) d += `M${x} ${y}`;
    else if (step) d += `H${x}V${y}`;
    else d += `L${x} ${y}`;
  }
  return d;
}

/** Closes a line path down to `baseline` into an area. */
export function areaPath(
  xs: readonly number[],
  ys: readonly number[],
  baseline: number,
  step = false,
): string {
  if (xs.length === 0) return '';
  return `${linePath(xs, ys, step)}V${px(baseline)}H${px(xs[0]!)}Z`;
}
