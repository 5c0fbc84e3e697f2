/**
 * The JIT warm-up found in a run's timeline (src/sim/warmup.ts): the first-half points
 * below 80% of the second half’s median rate, with the rates before and after it; and
 * the timeline interval chosen from the run’s length.
 */
import { describe, expect, it } from 'vitest';
import type { TimelinePoint } from '../../src/sim/report-types.js';
import { timelineIntervalMs } from '../../src/sim/simulation.js';
import { detectWarmup } from '../../src/sim/warmup.js';

/** One point every 0.1 s with the given rates (accesses per second). */
function timeline(rates: readonly number[]): TimelinePoint[] {
  return rates.map((r, i) => ({
    t: Number(((i + 1) * 0.1).toFixed(3)),
    accessesPerSecond: r,
    generation: i,
  }));
}

describe('detectWarmup', () => {
  it('ends the warm-up after the last slow point of the first half', () => {
    // 0.7 M, 2 M, 3.5 M then a steady 4 M: 3.5 M is above 80% of 4 M, so warm-up is 0.2 s.
    const points = timeline([0.7e6, 2e6, 3.5e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6]);
    expect(detectWarmup(points, 1.2)).toEqual({
      seconds: 0.2,
      accessesPerSecond: 1_350_000,
      warmAccessesPerSecond: 3_950_000,
    });
  });

  it('finds none in a steady run: the headline is the whole timeline', () => {
    const points = timeline(new Array(12).fill(4e6));
    expect(detectWarmup(points, 1.2)).toEqual({
      seconds: 0,
      accessesPerSecond: 0,
      warmAccessesPerSecond: 4e6,
    });
  });

  it('leaves a slow stretch in the second half alone (a stall is the run, not the JIT)', () => {
    const points = timeline([4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 4e6, 1e6, 4e6, 4e6]);
    expect(detectWarmup(points, 1.2).seconds).toBe(0);
  });

  it('needs at least 10 points', () => {
    expect(detectWarmup(timeline([1e6, 4e6, 4e6, 4e6]), 0.4).seconds).toBe(0);
  });
});

describe('timeline resolution', () => {
  it.each([
    [3, 15],
    [10, 25],
    [3600, 25],
    [1, 5],
    [0.3, 5],
  ])('a %s s run samples every %s ms', (seconds, ms) => {
    expect(timelineIntervalMs(seconds)).toBe(ms);
  });

  it('gives a run of 2 s or more at least 100 points (at the interval)', () => {
    for (const seconds of [2, 3, 5, 60, 3600]) {
      expect((seconds * 1000) / timelineIntervalMs(seconds)).toBeGreaterThanOrEqual(100);
    }
  });
});
