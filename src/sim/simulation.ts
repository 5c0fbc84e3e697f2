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
import { PAGE_SIZE } from '../base/constants.js';
import { isAddressSpaceError } from '../base/errors.js';
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import { POISON_U32 } from '../concurrent/reader/poison.js';
import { resolveStrategy } from '../concurrent/strategies/registry.js';
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import type { VcpuCounters } from '../concurrent/vcpu/vcpu-state.js';
import type { WorkloadKind } from '../concurrent/vcpu/workload.js';
import type { Machine } from '../machine/machine.js';
import { Checker } from './checker.js';
import {
  applyChurnOp,
  churnTargetsOf,
  plugChurnedHotplugSlots,
  warmHotplugPool,
} from './churn-apply.js';
import { ChurnDriver } from './churn-driver.js';
import { type ChurnOp, ChurnSchedule } from './churn-schedule.js';
import { type CompletionCheck, DeviceBackend } from './device-backend.js';
import type { BackendReport } from './device-backend-protocol.js';
import { stampAliasTargets, stampRanges, stampRegion } from './memory-stamp.js';
import { OptionsError } from './option-checks.js';
import { type ResolvedRunOptions, type RunOptions, resolveRunOptions } from './options.js';
import type { RunReport } from './report-types.js';
import { errorText, FailureLog } from './run-failures.js';
import { loadSimulationMachine } from './simulation-machine.js';
import { RunObserver } from './simulation-observer.js';
import { buildRunReport } from './simulation-report.js';
import { ChurnEventLog } from './stats-timeline.js';
import { workloadsFor } from './workloads.js';

/** Owner loop period: samples, MMIO latencies and aborts are looked at this often. */
const TICK_MS = 25;
/** Timeline resolution (SPEC 9: a point about every half second). */
const TIMELINE_MS = 500;
/** One translation sample every this many vCPU accesses (poison reads: always). */
const SAMPLE_EVERY = 512;
/** How often the device backend's counters and samples are drained. */
const BACKEND_DRAIN_MS = 250;
/**
 * Length of a vCPU slice (KVM_RUN call). Between slices a vCPU waits for the owner to
 * hand it the next one; 50 ms keeps that hand-over a small share of a vCPU's time even
 * when churn keeps the owner busy, and still stops a run within a blink.
 */
const SLICE_MS = 50;
/**
 * How long a reader may hold up a grace period before it is evicted. Every reader of a
 * run is live (exits are served, dead threads are marked offline at once), so a stall
 * is only a thread the host did not schedule; an evicted reader may still read memory
 * reclaimed under it until its next quiescent point, which the checker would rightly
 * report. A long lease keeps a heavily loaded host from causing that.
 */
const READER_LEASE_MS = 10_000;

/** Knobs for tests and tools; not part of `RunOptions` (SPEC 9 names those). */
export interface SimulationInternals {
  /** Keep the first N churn operations handed out (applied or refused), for `onChurnOps`. */
  readonly keepChurnOps?: number;
  /** Called with the kept churn operations, in order, when the run ends. */
  readonly onChurnOps?: (ops: readonly ChurnOp[]) => void;
}

/** Runs one simulation and resolves its report. Bad options throw `OptionsError`. */
export async function runSimulation(
  options: RunOptions = {},
  internals: SimulationInternals = {},
): Promise<RunReport> {
  const checked = resolveRunOptions(options);
  // A plug-in module is loaded (and registered) here; from then on it goes by its name.
  const strategy = (await resolveStrategy(checked.strategy)).name;
  const machine = await loadSimulationMachine(checked.machine, checked.hypIoeventfd);
  try {
    return await simulate(
      withMachineDefaults({ ...options, strategy }, machine),
      machine,
      internals,
    );
  } finally {
    machine.dispose();
  }
}

/**
 * The options with the machine file's run defaults (`churn`, `workload`) filled in where
 * the caller gave none, resolved. A bad default names its path under `machine.`.
 */
function withMachineDefaults(options: RunOptions, machine: Machine): ResolvedRunOptions {
  const defaults: { churn?: RunOptions['churn']; churnRate?: number; workload?: WorkloadKind } = {};
  if (options.churn === undefined && machine.churn?.kinds !== undefined) {
    defaults.churn = machine.churn.kinds as RunOptions['churn']; // checked when resolved
  }
  if (options.churnRate === undefined && machine.churn?.rate !== undefined) {
    defaults.churnRate = machine.churn.rate;
  }
  if (options.workload === undefined && machine.workload !== undefined) {
    defaults.workload = machine.workload as WorkloadKind;
  }
  try {
    return resolveRunOptions({ ...options, ...defaults });
  } catch (error) {
    if (error instanceof OptionsError)
      throw new OptionsError(`machine.${error.path}`, error.problem);
    throw error;
  }
}

async function simulate(
  o: ResolvedRunOptions,
  machine: Machine,
  internals: SimulationInternals,
): Promise<RunReport> {
  const startedAt = new Date();
  const churnConfig = { kinds: o.churn, rate: o.churnRate };
  const verifyAll = o.verify === 'all';
  // Self-checking memory: every block is stamped for its region before it is published.
  if (verifyAll && machine.hotplug !== undefined) machine.hotplug.onPlug = stampRegion;
  if (churnConfig.kinds.includes('hotplug')) {
    plugChurnedHotplugSlots(machine);
    warmHotplugPool(machine);
  }
  const publisher = SharedViewPublisher.attachTo(machine.memory, {
    strategy: o.strategy,
    check: o.check,
    history: o.check,
    maxReaders: o.vcpus + 2,
    leaseMs: READER_LEASE_MS,
  });
  const checker = new Checker({
    enabled: o.check,
    history: publisher.history,
    regionName: (id) => publisher.regionById(id)?.name,
  });
  const churnEvents = new ChurnEventLog();
  const churn = new ChurnDriver({
    schedule: new ChurnSchedule({
      seed: o.seed,
      kinds: churnConfig.kinds,
      targets: churnTargetsOf(machine),
    }),
    rate: churnConfig.rate,
    apply: (op) => applyChurnOp(machine, publisher, op),
    onApplied: (op, t) => churnEvents.record(t, op.kind),
    keepOps: internals.keepChurnOps ?? 0,
  });
  const pool = new VcpuPool({
    vcpus: o.vcpus,
    publisher,
    sampleEvery: o.check ? SAMPLE_EVERY : 0,
    poisonWord: o.check ? POISON_U32 : -1,
    sliceMs: SLICE_MS,
    verify: verifyAll,
    doorbells: machine.memory,
  });
  const observer = new RunObserver(pool, checker, o.vcpus);
  const failures = new FailureLog();
  let backend: DeviceBackend | undefined;
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
      aliasWindows: verifyAll,
    });
    prefault(machine, workloads[0]?.ram ?? []);
    if (verifyAll) {
      stampRanges(machine, workloads[0]?.ram ?? []);
      stampAliasTargets(machine);
    }
    pool.start(workloads);
    await pool.whenRunning();
    const t0 = performance.now();
    observer.start(t0);
    churn.start(t0);
    interrupted = await runLoop(o, observer, churn, publisher, backend, failures);
  } finally {
    // Stop order: churn, vCPUs, backend; then one last grace period before anything ends.
    // Each step that throws is a failure in the report, never an exception past it.
    churn.stop();
    await failures.guard('check-not-run', 'stopping the vCPUs', () => pool.stop());
    seconds = observer.elapsed();
    const final = await failures.guard('backend-died', 'stopping the device backend', () =>
      backend?.stop(),
    );
    observer.absorbBackend(final);
    observer.drainVcpus(publisher.generation);
    await failures.guard('check-not-run', 'the final grace period', () => publisher.synchronize());
    if (backend !== undefined) {
      checkCompletions(backend, machine, final, checker, failures, publisher.generation, seconds);
    }
    await failures.guard('check-not-run', 'ending the vCPU threads', () => pool.destroy());
    await failures.guard('check-not-run', 'closing the publisher', () => publisher.close());
  }
  for (const lost of pool.lost) {
    failures.record('vcpu-died', `vCPU ${lost.vcpu} died in slice ${lost.slice}: ${lost.error}`);
  }
  observer.sampleTimeline(seconds, publisher.generation);
  const publication = publisher.stats();
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
    accessesBeforeStart: observer.accessesBeforeStart,
    mmioLatency: observer.mmioLatency,
    churn,
    publication,
    checker,
    timeline: observer.timeline,
    churnEvents,
    backend: observer.backend,
    interrupted,
    lostVcpus: pool.lost.length,
    droppedSamples: pool.droppedSamples(),
    failures,
  });
}

/**
 * The owner's loop while the vCPUs run: every `TICK_MS` it checks samples, and now and
 * then adds a timeline point, drains the backend and reports progress. Resolves `true`
 * when the run was aborted, `false` when its time is up.
 */
async function runLoop(
  o: ResolvedRunOptions,
  observer: RunObserver,
  churn: ChurnDriver,
  publisher: SharedViewPublisher,
  backend: DeviceBackend | undefined,
  failures: FailureLog,
): Promise<boolean> {
  let nextTimeline = TIMELINE_MS / 1000;
  let nextProgress = o.progressIntervalMs / 1000;
  let nextBackendDrain = BACKEND_DRAIN_MS / 1000;
  let churnFailed = false;
  for (;;) {
    await sleep(TICK_MS);
    if (o.signal?.aborted) return true;
    if (churn.error !== undefined && !churnFailed) {
      churnFailed = true;
      failures.record(
        'churn-failed',
        `churn stopped: ${errorText(churn.error)}`,
        observer.elapsed(),
      );
    }
    const now = observer.elapsed();
    observer.drainVcpus(publisher.generation);
    if (now >= nextTimeline) {
      observer.sampleTimeline(now, publisher.generation);
      nextTimeline += TIMELINE_MS / 1000;
    }
    if (backend !== undefined && now >= nextBackendDrain) {
      observer.absorbBackend(await backend.drain());
      nextBackendDrain += BACKEND_DRAIN_MS / 1000;
    }
    if (o.onProgress !== undefined && now >= nextProgress) {
      o.onProgress(observer.progress(o.durationSeconds, publisher.generation, churn.updates));
      nextProgress += o.progressIntervalMs / 1000;
    }
    if (now >= o.durationSeconds) return false;
  }
}

/**
 * The completion records the backend left in guest RAM must be intact and up to date.
 * Without the backend's final counts (it died), or without the RAM of a record, the
 * check cannot run: that is a failure, not a pass.
 */
function checkCompletions(
  backend: DeviceBackend,
  machine: Machine,
  final: BackendReport | undefined,
  checker: Checker,
  failures: FailureLog,
  generation: number,
  seconds: number,
): void {
  if (backend.died !== undefined) {
    failures.record('backend-died', `the device backend thread died: ${backend.died}`);
  }
  if (final === undefined) {
    failures.record(
      'check-not-run',
      "the device backend's completion records were not checked: its final counts are lost",
    );
    return;
  }
  let found: CompletionCheck;
  try {
    found = backend.verifyCompletions(machine.memory, final);
  } catch (error) {
    failures.record('check-not-run', `checking the completion records: ${errorText(error)}`);
    return;
  }
  for (const line of found.notRun) failures.record('check-not-run', line);
  for (const problem of found.problems) {
    checker.record({
      kind: 'torn',
      vcpu: -1,
      generation,
      gpa: 0,
      expected: 'an intact completion record',
      actual: problem,
      detail: `the device backend's completion record is damaged (${problem})`,
      t: seconds,
    });
  }
  checker.countSamples(backend.devices.length - found.problems.length - found.notRun.length);
}

/**
 * Touches every page of `ranges` once, before the clock starts, so the run measures the
 * topology and not the host committing fresh guest pages (lazily, at a high cost on some
 * hosts). Each byte is written back with its own value: guest memory does not change.
 */
function prefault(machine: Machine, ranges: readonly { base: number; size: number }[]): void {
  const memory = machine.memory;
  for (const r of ranges) {
    for (let gpa = r.base; gpa < r.base + r.size; gpa += PAGE_SIZE) {
      try {
        memory.writeU8(gpa, memory.readU8(gpa));
      } catch (error) {
        // A window that is not writable RAM now (an alias switched off): nothing to touch.
        if (!isAddressSpaceError(error)) throw error;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
