/**
 * Latency statistics for simulation reports: percentiles over samples, fixed log-scale
 * histograms, and `LatencyRecorder`, which feeds both from one `record(us)` call.
 *
 * Recording never allocates: samples go into preallocated `Float64Array`s, and once a
 * reservoir is full it keeps a uniform random subset (Vitter's algorithm R with a fixed
 * xorshift seed, so equal inputs give equal reports). Percentiles are computed only when
 * a report is built. This module keeps no clock and knows nothing about threads: callers
 * measure, then record numbers.
 */
import type { HistogramReport, LatencyPercentilesWithMax } from './report-types.js';

/**
 * The nearest-rank percentile of ascending `sorted` samples: the smallest sample that at
 * least `p` percent of the samples are less than or equal to. 0 for no samples.
 * `percentileOfSorted([1, 2, 3, 4], 50) === 2`; `p = 100` gives the maximum.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1] as number;
}

/** p50, p99 and max of unsorted samples (the input is not changed). Zeros when empty. */
export function summarize(samples: ArrayLike<number>): LatencyPercentilesWithMax {
  const sorted = Float64Array.from(samples).sort();
  return {
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
  };
}

/**
 * A fixed-capacity sample store. Keeps every sample until full, then a uniform random
 * subset of all samples seen; `count` and `max` stay exact.
 */
export class SampleReservoir {
  readonly capacity: number;
  private readonly samples: Float64Array;
  private seen = 0;
  private largest = 0;
  private random = 0x9e3779b9;

  constructor(capacity = 65_536) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SampleReservoir capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.samples = new Float64Array(capacity);
  }

  /** Number of samples recorded (not only the ones kept). */
  get count(): number {
    return this.seen;
  }

  /** The largest sample recorded, or 0. */
  get max(): number {
    return this.largest;
  }

  record(value: number): void {
    const index = this.seen++;
    if (value > this.largest || index === 0) this.largest = value;
    if (index < this.capacity) {
      this.samples[index] = value;
      return;
    }
    // Algorithm R: keep the new sample with probability capacity / seen.
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    const slot = Math.floor((this.random / 0x1_0000_0000) * this.seen);
    if (slot < this.capacity) this.samples[slot] = value;
  }

  /** p50, p99 (from the kept samples) and the exact max. Zeros when empty. */
  summary(): LatencyPercentilesWithMax {
    const kept = this.samples.subarray(0, Math.min(this.seen, this.capacity));
    const { p50, p99 } = summarize(kept);
    return { p50, p99, max: this.largest };
  }

  reset(): void {
    this.seen = 0;
    this.largest = 0;
  }
}

export interface LogHistogramOptions {
  /** Lower edge of the first bucket, in µs (default 0.1). */
  readonly minUs?: number;
  /** Number of decades covered (default 8: 0.1 µs to 10 s). */
  readonly decades?: number;
  /** Buckets per decade (default 5: edges 1, 1.58, 2.51, 3.98, 6.31, 10, ...). */
  readonly perDecade?: number;
}

/**
 * Fixed log-scale buckets: bucket `i` covers `[minUs * 10**(i/perDecade),
 * minUs * 10**((i+1)/perDecade))`. Values below the range count in the first bucket,
 * values at or past it in the last.
 */
export class LogHistogram {
  readonly minUs: number;
  readonly perDecade: number;
  readonly counts: Float64Array;
  private total = 0;

  constructor(options: LogHistogramOptions = {}) {
    this.minUs = options.minUs ?? 0.1;
    this.perDecade = options.perDecade ?? 5;
    const decades = options.decades ?? 8;
    if (!(this.minUs > 0) || !Number.isInteger(decades) || decades < 1) {
      throw new RangeError('LogHistogram needs minUs > 0 and a positive whole number of decades');
    }
    if (!Number.isInteger(this.perDecade) || this.perDecade < 1) {
      throw new RangeError('LogHistogram needs a positive whole number of buckets per decade');
    }
    this.counts = new Float64Array(decades * this.perDecade);
  }

  get count(): number {
    return this.total;
  }

  /** The bucket `us` falls in. */
  bucketOf(us: number): number {
    if (!(us > this.minUs)) return 0;
    // The epsilon keeps exact edges (10**k) in the bucket they open despite rounding.
    const i = Math.floor(Math.log10(us / this.minUs) * this.perDecade + 1e-9);
    return i >= this.counts.length ? this.counts.length - 1 : i;
  }

  record(us: number): void {
    this.counts[this.bucketOf(us)]! += 1;
    this.total++;
  }

  /** Bucket edges in µs, `counts.length + 1` of them, rounded to 4 significant digits. */
  edges(): number[] {
    const edges: number[] = [];
    for (let i = 0; i <= this.counts.length; i++) {
      edges.push(Number((this.minUs * 10 ** (i / this.perDecade)).toPrecision(4)));
    }
    return edges;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

/** A latency series: one `record(us)` feeds a reservoir (percentiles) and a histogram. */
export class LatencyRecorder {
  readonly reservoir: SampleReservoir;
  readonly histogram: LogHistogram;

  constructor(options: LogHistogramOptions & { readonly capacity?: number } = {}) {
    this.reservoir = new SampleReservoir(options.capacity);
    this.histogram = new LogHistogram(options);
  }

  get count(): number {
    return this.reservoir.count;
  }

  record(us: number): void {
    this.reservoir.record(us);
    this.histogram.record(us);
  }

  summary(): LatencyPercentilesWithMax {
    return this.reservoir.summary();
  }

  /** The histogram with its percentiles, as reports carry it. */
  toReport(): HistogramReport {
    return {
      edgesUs: this.histogram.edges(),
      counts: Array.from(this.histogram.counts),
      count: this.count,
      ...this.summary(),
    };
  }

  reset(): void {
    this.reservoir.reset();
    this.histogram.reset();
  }
}

/** Rounds a reported number to `digits` decimals (reports are for people and diffs). */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
