/**
 * JIT warm-up of a run, found in its timeline: V8 compiles the vCPUs' hot loops during
 * the first moments of a run, so the first points of the throughput timeline are well
 * below the rest (0.7 M → 4 M accesses/s over the first second on the project's 2-core
 * machine). The run report marks that stretch and gives the throughput without it, next
 * to the whole-run figure.
 *
 * Rule: the steady rate is the median of the points in the second half of the run; the
 * warm-up ends at the end of the last point, among the first half of the run, whose rate
 * is below `WARM_SHARE` of the steady rate (with no such point there is no warm-up). Only
 * the first half can be warm-up: a slow stretch later on (a stalled vCPU, a loaded host)
 * is the run's own behaviour, not the JIT's. Runs with fewer than `MIN_POINTS` points have
 * no warm-up found. Pure arithmetic on the timeline; it measures nothing.
 */
import type { TimelinePoint } from './report-types.js';

/** A point below this share of the steady rate is still warming up. */
export const WARM_SHARE = 0.8;
/** Timelines shorter than this are too coarse to tell warm-up from noise. */
export const MIN_POINTS = 10;

export interface Warmup {
  /** Seconds from the start of the run to the end of the warm-up (0: none found). */
  readonly seconds: number;
  /** Accesses per second during the warm-up (0 when there is none). */
  readonly accessesPerSecond: number;
  /** Accesses per second after the warm-up: the headline figure. */
  readonly warmAccessesPerSecond: number;
}

/** Finds the warm-up in `timeline` (points in time order, each rate over its interval). */
export function detectWarmup(timeline: readonly TimelinePoint[], durationSeconds: number): Warmup {
  const whole = averageRate(timeline, 0, timeline.length);
  const none: Warmup = { seconds: 0, accessesPerSecond: 0, warmAccessesPerSecond: whole };
  if (timeline.length < MIN_POINTS || !(durationSeconds > 0)) return none;
  const half = durationSeconds / 2;
  const secondHalf = timeline.filter((p) => p.t > half).map((p) => p.accessesPerSecond);
  if (secondHalf.length === 0) return none;
  const steady = median(secondHalf);
  if (!(steady > 0)) return none;
  let last = -1;
  for (let i = 0; i < timeline.length && timeline[i]!.t <= half; i++) {
    if (timeline[i]!.accessesPerSecond < WARM_SHARE * steady) last = i;
  }
  if (last < 0) return none;
  return {
    seconds: timeline[last]!.t,
    accessesPerSecond: Math.round(averageRate(timeline, 0, last + 1)),
    warmAccessesPerSecond: Math.round(averageRate(timeline, last + 1, timeline.length)),
  };
}

/** Accesses over time of points `[from, to)`: each point's rate weighted by its interval. */
function averageRate(points: readonly TimelinePoint[], from: number, to: number): number {
  let accesses = 0;
  let seconds = 0;
  for (let i = from; i < to; i++) {
    const span = points[i]!.t - (i === 0 ? 0 : points[i - 1]!.t);
    accesses += points[i]!.accessesPerSecond * span;
    seconds += span;
  }
  return seconds > 0 ? accesses / seconds : 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
