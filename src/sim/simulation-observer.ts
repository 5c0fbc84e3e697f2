/**
 * What the owner observes of a running simulation, turn by turn: it drains the vCPUs'
 * translation samples into the checker and their MMIO round trips into a latency
 * recorder, absorbs the device backend's counters, samples and findings, feeds the
 * timeline, and builds the progress records the CLI's progress line shows.
 *
 * Owner thread only, called between turns of the run loop. It reads shared counters and
 * drains rings; it never starts, stops or changes anything.
 */
import { SampleKind } from '../concurrent/vcpu/sampler.js';
import type { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import type { Checker } from './checker.js';
import type { BackendReport } from './device-backend-protocol.js';
import type { RunProgress } from './report-types.js';
import { LatencyRecorder } from './stats.js';
import { TimelineRecorder } from './stats-timeline.js';

export class RunObserver {
  readonly mmioLatency = new LatencyRecorder();
  readonly timeline: TimelineRecorder;
  /** The latest counters of the backend serving now (its final drain once stopped). */
  private current: BackendReport | undefined;
  /** Counters of backends that were replaced (killed by fault injection), summed. */
  private replaced: BackendReport | undefined;
  private readonly pool: VcpuPool;
  private readonly checker: Checker;
  private readonly vcpus: number;
  private startMs = performance.now();
  private backendChecked = 0;
  private last = { seconds: 0, accesses: 0, churn: 0 };
  /** Accesses the vCPUs made before the clock started (while the pool came up). */
  accessesBeforeStart = 0;
  /** Each vCPU's accesses when the clock started: the timeline counts from there. */
  private baseline: number[] = [];

  constructor(pool: VcpuPool, checker: Checker, vcpus: number) {
    this.pool = pool;
    this.checker = checker;
    this.vcpus = vcpus;
    this.timeline = new TimelineRecorder({ vcpus });
  }

  /** Starts the run's clock (`performance.now()` at the start). */
  start(startMs: number): void {
    this.startMs = startMs;
    this.baseline = [];
    this.baseline = this.accessCounts(); // raw counts: the baseline is still empty here
    this.accessesBeforeStart = this.baseline.reduce((a, b) => a + b, 0);
    this.last = { seconds: 0, accesses: this.accessesBeforeStart, churn: 0 };
  }

  /** Seconds since `start`. */
  elapsed(): number {
    return (performance.now() - this.startMs) / 1000;
  }

  /** Checks the vCPUs' samples taken since the last call; records their MMIO round trips. */
  drainVcpus(generation: number): void {
    const t = this.elapsed();
    this.checker.published(generation);
    for (let v = 0; v < this.vcpus; v++) {
      for (const sample of this.pool.drainSamples(v)) this.checker.checkSample(sample, v, t);
    }
    this.pool.drainMmioLatencies((us) => this.mmioLatency.record(us));
  }

  /**
   * The device backend's counters over the whole run: every backend that served, the
   * replaced ones included (`undefined`: none drained).
   */
  get backend(): BackendReport | undefined {
    const a = this.replaced;
    const b = this.current;
    if (a === undefined || b === undefined) return b ?? a;
    return {
      ...b,
      dmaOps: a.dmaOps + b.dmaOps,
      requests: a.requests + b.requests,
      signals: a.signals + b.signals,
      faults: a.faults + b.faults,
      reattached: a.reattached + b.reattached,
      checked: a.checked + b.checked,
    };
  }

  /** A new backend replaced the current one: its counters start from zero. */
  backendReplaced(): void {
    this.replaced = this.backend;
    this.current = undefined;
    this.backendChecked = 0;
  }

  /** Takes in one drain of the device backend (`undefined`: nothing came back). */
  absorbBackend(report: BackendReport | undefined): void {
    if (report === undefined) return;
    this.current = report;
    const t = this.elapsed();
    for (const s of report.samples)
      this.checker.checkSample({ ...s, kind: SampleKind.Read }, -1, t);
    this.checker.countSamples(report.checked - this.backendChecked);
    this.backendChecked = report.checked;
    for (const v of report.violations) {
      this.checker.record({
        kind: v.kind,
        vcpu: -1,
        generation: v.generation,
        gpa: v.gpa,
        expected: v.expected,
        actual: v.actual,
        detail: v.detail,
        t: (v.at - performance.timeOrigin - this.startMs) / 1000,
      });
    }
  }

  /** Adds a timeline point at `seconds` with the vCPUs' counters now. */
  sampleTimeline(seconds: number, generation: number): void {
    this.timeline.sample(seconds, this.accessCounts(), generation);
  }

  /** A progress record; rates are over the time since the previous call. */
  progress(durationSeconds: number, generation: number, churnUpdates: number): RunProgress {
    const seconds = this.elapsed();
    const accesses = this.pool.counters().accesses;
    const span = Math.max(1e-3, seconds - this.last.seconds);
    const progress: RunProgress = {
      elapsedSeconds: Math.min(seconds, durationSeconds),
      durationSeconds,
      accessesTotal: accesses,
      accessesPerSecond: Math.round((accesses - this.last.accesses) / span),
      generation,
      churnPerSecond: Math.round((churnUpdates - this.last.churn) / span),
      violations: this.checker.violations,
    };
    this.last = { seconds, accesses, churn: churnUpdates };
    return progress;
  }

  private accessCounts(): number[] {
    const counts: number[] = [];
    for (let v = 0; v < this.vcpus; v++) {
      counts.push(this.pool.counters(v).accesses - (this.baseline[v] ?? 0));
    }
    return counts;
  }
}
