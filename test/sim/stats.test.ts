import { describe, expect, it } from 'vitest';
import {
  LatencyRecorder,
  LogHistogram,
  percentileOfSorted,
  round,
  SampleReservoir,
  summarize,
} from '../../src/sim/stats.js';

describe('percentiles (nearest rank)', () => {
  it('picks the smallest sample with at least p percent at or below it', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileOfSorted([1, 2, 3, 4], 51)).toBe(3);
    expect(percentileOfSorted([1, 2, 3, 4], 100)).toBe(4);
    expect(percentileOfSorted([7], 1)).toBe(7);
    expect(percentileOfSorted([], 50)).toBe(0);
  });

  it('summarizes 1..100 as p50 50, p99 99, max 100 without sorting the input', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(samples)).toEqual({ p50: 50, p99: 99, max: 100 });
    expect(samples[0]).toBe(100);
    expect(summarize([])).toEqual({ p50: 0, p99: 0, max: 0 });
  });
});

describe('SampleReservoir', () => {
  it('keeps every sample until full', () => {
    const r = new SampleReservoir(10);
    for (const v of [5, 1, 9, 3]) r.record(v);
    expect(r.count).toBe(4);
    expect(r.summary()).toEqual({ p50: 3, p99: 9, max: 9 });
  });

  it('past capacity keeps an unbiased subset and the exact count and max', () => {
    const r = new SampleReservoir(1000);
    // 0..99999 in order: a reservoir that kept only the first or last samples would be
    // far off; a uniform subset has its median near 50000.
    for (let i = 0; i < 100_000; i++) r.record(i);
    expect(r.count).toBe(100_000);
    const s = r.summary();
    expect(s.max).toBe(99_999);
    expect(s.p50).toBeGreaterThan(45_000);
    expect(s.p50).toBeLessThan(55_000);
    expect(s.p99).toBeGreaterThan(97_000);
  });

  it('is deterministic and can be reset', () => {
    const a = new SampleReservoir(8);
    const b = new SampleReservoir(8);
    for (let i = 0; i < 1000; i++) {
      a.record(i);
      b.record(i);
    }
    expect(a.summary()).toEqual(b.summary());
    a.reset();
    expect(a.count).toBe(0);
    expect(a.summary()).toEqual({ p50: 0, p99: 0, max: 0 });
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new SampleReservoir(0)).toThrow(RangeError);
  });
});

describe('LogHistogram', () => {
  it('has 5 buckets per decade from 0.1 µs to 10 s by default', () => {
    const h = new LogHistogram();
    expect(h.counts.length).toBe(40);
    const edges = h.edges();
    expect(edges.length).toBe(41);
    expect(edges.slice(0, 7)).toEqual([0.1, 0.1585, 0.2512, 0.3981, 0.631, 1, 1.585]);
    expect(edges[40]).toBe(10_000_000);
  });

  it('puts values in [edge i, edge i+1), clamping both ends', () => {
    const h = new LogHistogram({ minUs: 1, decades: 2, perDecade: 1 });
    // buckets: [1,10) [10,100)
    expect(h.bucketOf(0)).toBe(0);
    expect(h.bucketOf(1)).toBe(0);
    expect(h.bucketOf(9.99)).toBe(0);
    expect(h.bucketOf(10)).toBe(1);
    expect(h.bucketOf(99)).toBe(1);
    expect(h.bucketOf(1e9)).toBe(1);
    expect(h.bucketOf(Number.NaN)).toBe(0);
    for (const v of [0.5, 3, 10, 50, 5000]) h.record(v);
    expect(Array.from(h.counts)).toEqual([2, 3]);
    expect(h.count).toBe(5);
  });
});

describe('LatencyRecorder', () => {
  it('reports a histogram whose counts sum to the count, with percentiles', () => {
    const rec = new LatencyRecorder({ minUs: 1, decades: 3, perDecade: 1 });
    for (const us of [2, 3, 4, 20, 30, 500]) rec.record(us);
    expect(rec.toReport()).toEqual({
      edgesUs: [1, 10, 100, 1000],
      counts: [3, 2, 1],
      count: 6,
      p50: 4,
      p99: 500,
      max: 500,
    });
  });
});

describe('round', () => {
  it('rounds to a number of decimals', () => {
    expect(round(1.23456)).toBe(1.235);
    expect(round(1.5, 0)).toBe(2);
  });
});
