/**
 * Small timing helpers shared by the bench modules: sleeping on the owner's event loop
 * (so churn, grace periods and MMIO exits keep being served while a round runs), medians
 * and rounding for report numbers. No clocks of its own beyond `performance.now()`.
 */

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.resolve();
  // Resolves early (never rejects) when `signal` aborts: an interrupted round still counts.
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The median of `values` (the upper middle for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** `value` rounded to `digits` significant digits (0 stays 0; NaN and Infinity stay). */
export function significant(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}
