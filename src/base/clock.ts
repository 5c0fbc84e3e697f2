/**
 * The one clock that threads compare: wall-clock milliseconds as `timeOrigin + now()`.
 *
 * A reader stamps its adoption with it and the owner subtracts its own publish stamp, so
 * both sides must read the same clock; `performance.now()` alone is per-thread. This
 * module only reads the clock; it never measures or stores anything.
 */

/** Wall-clock milliseconds, comparable across the threads of one process. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
