/**
 * `runSimulation(options)`: the main job of `addrspace run` (SPEC 9, DESIGN "The main
 * job"). It builds the machine, publishes its memory address space to shared memory,
 * starts one vCPU worker per requested vCPU running the seeded workload, a device backend
 * worker serving the virtio doorbells by DMA, and the seeded topology churn at the
 * requested rate; it checks what the readers saw while they run, then stops everything
 * cleanly and returns the `RunReport`.
 *
 * Threads: this is the owner thread. Churn, MMIO exits, grace periods and the checker all
 * run on its event loop, in small turns, so none starves the others. Stopping order:
 * churn, vCPUs, backend, a final grace period (`synchronize`), then workers are ended and
 * the publisher closed, so the process has no handle left and exits on its own.
 *
 * It writes no files and prints nothing: the CLI writes `--json` / `--html` and draws the
 * progress line from `onProgress`.
 */
import { SharedViewPublisher } from '../concurrent/publisher.js';
import { POISON_U32 } from '../concurrent/reclaim.js';
import { SampleKind } from '../concurrent/sampler.js';
import { VcpuPool } from '../concurrent/vcpu-pool.js';
import type { VcpuCounters } from '../concurrent/vcpu-state.js';
import type { Machine } from '../machine/machine.js';
import { Checker } from './checker.js';
import { applyChurnOp, churnTargetsOf, plugChurnedHotplugSlots } from './churn-apply.js';
import { ChurnDriver } from './churn-driver.js';
import { ChurnSchedule } from './churn-schedule.js';
import { DeviceBackend } from './device-backend.js';
import type { BackendReport } from './device-backend-protocol.js';
import {
  type ChurnKind,
  parseChurnList,
  type ResolvedRunOptions,
  type RunOptions,
  resolveRunOptions,
} from './options.js';
import type { RunReport } from './report-types.js';
import { loadSimulationMachine } from './simulation-machine.js';
import { buildRunReport } from './simulation-report.js';
import { LatencyRecorder } from './stats.js';
import { ChurnEventLog, TimelineRecorder } from './stats-timeline.js';
import { workloadsFor } from './workloads.js';

/** Owner loop period: samples, MMIO latencies and aborts are looked at this often. */
const TICK_MS = 25;
/** Timeline resolution (SPEC 9: a point about every half second). */
const TIMELINE_MS = 500;
/** One translation sample every this many vCPU accesses (poison reads: always). */
const SAMPLE_EVERY = 512;
/** How often the device backend's counters and samples are drained. */
const BACKEND_DRAIN_MS = 250;
const PAGE_BYTES = 4096;

/** Knobs for tests and tools; not part of `RunOptions` (SPEC 9 names those). */
export interface SimulationInternals {
  /** Keep the first N churn operations handed out, in `ops` of the result. */
  readonly keepChurnOps?: number;
  /** Called with the applied churn operations when the run ends. */
  readonly onChurnOps?: (ops: readonly unknown[]) => void;
}

/** Runs one simulation and resolves its report. Bad options throw `OptionsError`. */
export async function runSimulation(
  options: RunOptions = {},
  internals: SimulationInternals = {},
): Promise<RunReport> {
  const o = resolveRunOptions(options);
  const machine = await loadSimulationMachine(o.machine);
  try {
    return await simulate(o, options, machine, internals);
  } finally {
    machine.dispose();
  }
}

/** Churn kinds and rate: the options, else the machine file's defaults, else the global defaults. */
function churnSettings(
  o: ResolvedRunOptions,
  given: RunOptions,
  machine: Machine,
): { kinds: ChurnKind[]; rate: number } {
  const fromFile = machine.churn;
  const kinds =
    given.churn === undefined && fromFile?.kinds !== undefined
      ? parseChurnList(fromFile.kinds, 'machine.churn')
      : [...o.churn];
  const rate =
    given.churnRate === undefined && fromFile?.rate !== undefined ? fromFile.rate : o.churnRate;
  return { kinds, rate };
}

async function simulate(
  o: ResolvedRunOptions,
  given: RunOptions,
  machine: Machine,
  internals: SimulationInternals,
): Promise<RunReport> {
  const startedAt = new Date();
  const churnConfig = churnSettings(o, given, machine);
  if (churnConfig.kinds.includes('hotplug')) plugChurnedHotplugSlots(machine);
  // The core FlatView is what the publisher publishes; the cast bridges a typing gap
  // between the core and concurrent layers (getRomDeviceRomd's optional result).
  const space = machine.memory as unknown as Parameters<typeof SharedViewPublisher.attachTo>[0];
  const publisher = SharedViewPublisher.attachTo(space, {
    strategy: o.strategy,
    check: o.check,
    history: o.check,
    maxReaders: o.vcpus + 2,
  });
  const checker = new Checker({
    enabled: o.check,
    history: publisher.history,
    regionName: (id) => publisher.regionById(id)?.name,
  });
  const schedule = new ChurnSchedule({
    seed: o.seed,
    kinds: churnConfig.kinds,
    targets: churnTargetsOf(machine),
  });
  const timeline = new TimelineRecorder({ vcpus: o.vcpus });
  const churnEvents = new ChurnEventLog();
  const churn = new ChurnDriver({
    schedule,
    rate: churnConfig.rate,
    apply: (op) => applyChurnOp(machine, publisher, op),
    onApplied: (op, t) => churnEvents.record(t, op.kind),
    keepOps: internals.keepChurnOps ?? 0,
  });
  const mmioLatency = new LatencyRecorder();
  const pool = new VcpuPool({
    vcpus: o.vcpus,
    publisher,
    sampleEvery: o.check ? SAMPLE_EVERY : 0,
    poisonWord: o.check ? POISON_U32 : -1,
  });
  let backend: DeviceBackend | undefined;
  let backendTotals: BackendReport | undefined;
  let t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;

  const absorbBackend = (report: BackendReport | undefined) => {
    if (report === undefined) return;
    backendTotals = report;
    const t = elapsed();
    for (const s of report.samples) {
      checker.checkSample({ ...s, kind: SampleKind.Read }, -1, t);
    }
    for (let i = 0; i < report.checked - (backendChecked ?? 0); i++) checker.countSample();
    backendChecked = report.checked;
    for (const v of report.violations) {
      checker.record({
        kind: v.kind,
        vcpu: -1,
        generation: v.generation,
        gpa: v.gpa,
        expected: v.expected,
        actual: v.actual,
        detail: v.detail,
        t: (v.at - performance.timeOrigin - t0) / 1000,
      });
    }
  };
  let backendChecked: number | undefined;
  const drainVcpus = () => {
    const t = elapsed();
    checker.published(publisher.generation);
    for (let v = 0; v < o.vcpus; v++) {
      for (const sample of pool.drainSamples(v)) checker.checkSample(sample, v, t);
    }
    pool.drainMmioLatencies((us) => mmioLatency.record(us));
  };

  let interrupted = false;
  let seconds = 0;
  try {
    backend = await DeviceBackend.start({
      machine,
      publisher,
      seed: o.seed,
      poisonWord: o.check ? POISON_U32 : -1,
    });
    const workloads = workloadsFor(machine, {
      workload: o.workload,
      seed: o.seed,
      vcpus: o.vcpus,
      churn: churnConfig.kinds,
    });
    prefault(machine, workloads[0]?.ram ?? []);
    pool.start(workloads);
    await pool.whenRunning();
    t0 = performance.now();
    churn.start(t0);

    const durationMs = o.durationSeconds * 1000;
    let nextTimeline = TIMELINE_MS;
    let nextProgress = o.progressIntervalMs;
    let nextBackendDrain = BACKEND_DRAIN_MS;
    let lastProgress = { ms: 0, accesses: 0, churn: 0 };
    for (;;) {
      await sleep(TICK_MS);
      const now = performance.now() - t0;
      if (o.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (churn.error !== undefined) throw churn.error;
      drainVcpus();
      if (now >= nextTimeline) {
        timeline.sample(now / 1000, accessCounts(pool, o.vcpus), publisher.generation);
        nextTimeline += TIMELINE_MS;
      }
      if (backend !== undefined && now >= nextBackendDrain) {
        absorbBackend(await backend.drain());
        nextBackendDrain += BACKEND_DRAIN_MS;
      }
      if (o.onProgress !== undefined && now >= nextProgress) {
        const accesses = pool.counters().accesses;
        const span = Math.max(1e-3, (now - lastProgress.ms) / 1000);
        o.onProgress({
          elapsedSeconds: Math.min(now / 1000, o.durationSeconds),
          durationSeconds: o.durationSeconds,
          accessesTotal: accesses,
          accessesPerSecond: Math.round((accesses - lastProgress.accesses) / span),
          generation: publisher.generation,
          churnPerSecond: Math.round((churn.updates - lastProgress.churn) / span),
          violations: checker.violations,
        });
        lastProgress = { ms: now, accesses, churn: churn.updates };
        nextProgress += o.progressIntervalMs;
      }
      if (now >= durationMs) break;
    }
  } finally {
    churn.stop();
    await pool.stop();
    seconds = elapsed();
    const final = await backend?.stop();
    absorbBackend(final);
    drainVcpus();
    await publisher.synchronize();
    if (backend !== undefined && final !== undefined) {
      for (const problem of backend.verifyCompletions(machine.memory, final)) {
        checker.record({
          kind: 'torn',
          vcpu: -1,
          generation: publisher.generation,
          gpa: 0,
          expected: 'an intact completion record',
          actual: problem,
          detail: `the device backend's completion record is damaged (${problem})`,
          t: seconds,
        });
      }
      if (final.requests > 0) checker.countSample();
    }
    await pool.destroy();
  }
  timeline.sample(seconds, accessCounts(pool, o.vcpus), publisher.generation);
  const publication = publisher.stats();
  publisher.close();
  internals.onChurnOps?.(churn.ops);
  const perVcpu: VcpuCounters[] = [];
  for (let v = 0; v < o.vcpus; v++) perVcpu.push(pool.counters(v));
  return buildRunReport({
    options: o,
    churnKinds: churnConfig.kinds,
    churnRate: churnConfig.rate,
    startedAt,
    seconds,
    perVcpu,
    mmioLatency,
    churn,
    publication,
    checker,
    timeline,
    churnEvents,
    backend: backendTotals,
    interrupted,
    lostVcpus: pool.lost.length,
  });
}

/**
 * Touches every page of `ranges` once, before the clock starts, so the run measures the
 * topology and not the host committing fresh guest pages (lazily, at a high cost on some
 * hosts). Each byte is written back with its own value: guest memory does not change.
 */
function prefault(machine: Machine, ranges: readonly { base: number; size: number }[]): void {
  const memory = machine.memory;
  for (const r of ranges) {
    for (let gpa = r.base; gpa < r.base + r.size; gpa += PAGE_BYTES) {
      memory.writeU8(gpa, memory.readU8(gpa));
    }
  }
}

function accessCounts(pool: VcpuPool, vcpus: number): number[] {
  const counts: number[] = [];
  for (let v = 0; v < vcpus; v++) counts.push(pool.counters(v).accesses);
  return counts;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
