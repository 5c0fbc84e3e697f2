/**
 * Time series for simulation reports: `TimelineRecorder` turns cumulative per-vCPU access
 * counters, sampled now and then, into rate points (`RunReport.timeline`), and
 * `ChurnEventLog` keeps the times and kinds of topology changes (`RunReport.churnEvents`).
 *
 * Both have a fixed memory bound set at construction and never allocate while recording.
 * When the timeline fills up it merges neighbouring points in pairs and from then on
 * merges that many samples into each new point, so a long run keeps an even resolution.
 * Neither keeps a clock: callers pass times in seconds since the start of the run.
 */
import { CHURN_KINDS, type ChurnKind } from '../machine/churn-kind.js';
import type { ChurnEvent, TimelinePoint } from './report-types.js';

export interface TimelineRecorderOptions {
  readonly vcpus: number;
  /** The most points kept (default 512); at least 2. */
  readonly capacity?: number;
}

export class TimelineRecorder {
  readonly vcpus: number;
  readonly capacity: number;
  // Committed points, one column each; `deltas` holds `vcpus` counts per point.
  private readonly ends: Float64Array;
  private readonly spans: Float64Array;
  private readonly generations: Float64Array;
  private readonly deltas: Float64Array;
  private length = 0;
  // Samples merged into each committed point; doubles at each compaction.
  private stride = 1;
  // The point being accumulated until `stride` samples are in it.
  private readonly pendingDeltas: Float64Array;
  private pendingSpan = 0;
  private pendingEnd = 0;
  private pendingGeneration = 0;
  private pendingSamples = 0;
  // The previous sample, to turn cumulative counters into deltas.
  private readonly lastCounts: Float64Array;
  private lastT = 0;

  constructor(options: TimelineRecorderOptions) {
    const capacity = options.capacity ?? 512;
    if (!Number.isInteger(options.vcpus) || options.vcpus < 1) {
      throw new RangeError(`TimelineRecorder needs vcpus >= 1, got ${options.vcpus}`);
    }
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`TimelineRecorder needs capacity >= 2, got ${capacity}`);
    }
    this.vcpus = options.vcpus;
    this.capacity = capacity;
    this.ends = new Float64Array(capacity);
    this.spans = new Float64Array(capacity);
    this.generations = new Float64Array(capacity);
    this.deltas = new Float64Array(capacity * options.vcpus);
    this.pendingDeltas = new Float64Array(options.vcpus);
    this.lastCounts = new Float64Array(options.vcpus);
  }

  /**
   * Records the state at `t` seconds: `counts[v]` is the total accesses of vCPU `v` since
   * the start (cumulative), `generation` the newest published generation. The first
   * interval starts at t = 0 with zero counts. A sample not later than the previous one
   * is ignored.
   */
  sample(t: number, counts: ArrayLike<number>, generation: number): void {
    const span = t - this.lastT;
    if (!(span > 0)) return;
    if (this.pendingSamples === 0 && this.length === this.capacity) this.compact();
    for (let v = 0; v < this.vcpus; v++) {
      const now = counts[v] ?? 0;
      this.pendingDeltas[v]! += now - this.lastCounts[v]!;
      this.lastCounts[v] = now;
    }
    this.lastT = t;
    this.pendingSpan += span;
    this.pendingEnd = t;
    this.pendingGeneration = generation;
    if (++this.pendingSamples === this.stride) this.commitPending();
  }

  /** The points so far, oldest first, including a partly merged last one. */
  points(): TimelinePoint[] {
    const points: TimelinePoint[] = [];
    for (let i = 0; i < this.length; i++) {
      const perVcpu = this.deltas.subarray(i * this.vcpus, (i + 1) * this.vcpus);
      points.push(toPoint(this.ends[i]!, this.spans[i]!, this.generations[i]!, perVcpu));
    }
    if (this.pendingSamples > 0) {
      points.push(
        toPoint(this.pendingEnd, this.pendingSpan, this.pendingGeneration, this.pendingDeltas),
      );
    }
    return points;
  }

  private commitPending(): void {
    const i = this.length++;
    this.ends[i] = this.pendingEnd;
    this.spans[i] = this.pendingSpan;
    this.generations[i] = this.pendingGeneration;
    this.deltas.set(this.pendingDeltas, i * this.vcpus);
    this.pendingDeltas.fill(0);
    this.pendingSpan = 0;
    this.pendingSamples = 0;
  }

  /** Merges points (0,1), (2,3), ... into one each; an odd last point stays as it is. */
  private compact(): void {
    const n = this.vcpus;
    let out = 0;
    for (let i = 0; i < this.length; i += 2, out++) {
      const last = Math.min(i + 1, this.length - 1);
      this.ends[out] = this.ends[last]!;
      this.spans[out] = this.spans[i]! + (last === i ? 0 : this.spans[last]!);
      this.generations[out] = this.generations[last]!;
      for (let v = 0; v < n; v++) {
        const merged = this.deltas[i * n + v]! + (last === i ? 0 : this.deltas[last * n + v]!);
        this.deltas[out * n + v] = merged;
      }
    }
    this.length = out;
    this.stride *= 2;
  }
}

function toPoint(t: number, span: number, generation: number, deltas: Float64Array): TimelinePoint {
  const perVcpuAccessesPerSecond: number[] = [];
  let total = 0;
  for (const delta of deltas) {
    total += delta;
    perVcpuAccessesPerSecond.push(Math.round(delta / span));
  }
  return {
    t: Math.round(t * 1000) / 1000,
    accessesPerSecond: Math.round(total / span),
    generation,
    perVcpuAccessesPerSecond,
  };
}

/** Churn events in time order, up to a fixed number; the rest are only counted. */
export class ChurnEventLog {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly kinds: Uint8Array;
  private length = 0;
  private overflow = 0;

  constructor(capacity = 20_000) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`ChurnEventLog capacity must be a whole number, got ${capacity}`);
    }
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
  }

  /** Events recorded past the capacity. */
  get dropped(): number {
    return this.overflow;
  }

  record(t: number, kind: ChurnKind): void {
    if (this.length === this.capacity) {
      this.overflow++;
      return;
    }
    this.times[this.length] = t;
    this.kinds[this.length++] = CHURN_KINDS.indexOf(kind);
  }

  events(): ChurnEvent[] {
    const events: ChurnEvent[] = [];
    for (let i = 0; i < this.length; i++) {
      events.push({
        t: Math.round(this.times[i]! * 1e6) / 1e6,
        kind: CHURN_KINDS[this.kinds[i]!]!,
      });
    }
    return events;
  }
}
