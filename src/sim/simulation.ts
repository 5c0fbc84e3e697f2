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
import { isModulePath, moduleUrl } from '../base/plugin-module.js';
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import { POISON_U32 } from '../concurrent/reader/poison.js';
import { resolveStrategy } from '../concurrent/strategies/registry.js';
import { AccessGenerator } from '../concurrent/vcpu/access-pattern.js';
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import type { VcpuCounters } from '../concurrent/vcpu/vcpu-state.js';
import type { WorkloadDescription } from '../concurrent/vcpu/workload.js';
import { loadWorkloadPlugin } from '../concurrent/vcpu/workload-plugin.js';
import { PluginDevice } from '../machine/devices/plugin.js';
import type { Machine } from '../machine/machine.js';
import { BackendSlot } from './backend-slot.js';
import { Checker } from './checker.js';
import {
  applyChurnOp,
  churnTargetsOf,
  plugChurnedHotplugSlots,
  warmHotplugPool,
} from './churn-apply.js';
import { ChurnDriver } from './churn-driver.js';
import {
  ChurnRecorder,
  RECORD_FORMAT,
  type RecordHeader,
  type Recording,
  ReplaySchedule,
  readRecording,
} from './churn-record.js';
import { type ChurnOp, ChurnSchedule, describeChurnOp } from './churn-schedule.js';
import { type CompletionCheck, DeviceBackend } from './device-backend.js';
import type { BackendReport } from './device-backend-protocol.js';
import { FaultInjector } from './fault-injector.js';
import { stampAliasTargets, stampRanges, stampRegion } from './memory-stamp.js';
import { OptionsError } from './option-checks.js';
import { type ResolvedRunOptions, type RunOptions, resolveRunOptions } from './options.js';
import type { RunReport } from './report-types.js';
import { errorText, FailureLog } from './run-failures.js';
import { loadSimulationMachine } from './simulation-machine.js';
import { RunObserver } from './simulation-observer.js';
import { buildRunReport } from './simulation-report.js';
import { ChurnEventLog } from './stats-timeline.js';
import { GrowthReplayer } from './table-growth.js';
import { workloadsFor } from './workloads.js';

/** Owner loop period: samples, MMIO latencies and aborts are looked at this often. */
const TICK_MS = 25;
/**
 * Timeline resolution, from the run's length: about `TIMELINE_POINTS` points, one every
 * 5 ms at least and every `TICK_MS` at most (the recorder merges neighbours past its
 * capacity, so a long run keeps an even resolution). A run of 3 s gets a point every
 * 15 ms, enough to see the JIT warm-up and each churn burst for what it is.
 */
const TIMELINE_POINTS = 200;
const MIN_TIMELINE_MS = 5;

export function timelineIntervalMs(durationSeconds: number): number {
  const even = (durationSeconds * 1000) / TIMELINE_POINTS;
  return Math.min(TICK_MS, Math.max(MIN_TIMELINE_MS, even));
}
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

/** The stalled-reader scenario stalls vCPU 0 once a second (SPEC 7). */
const STALL_EVERY_MS = 1000;

/** Knobs for tests and tools; not part of `RunOptions` (SPEC 9 names those). */
export interface SimulationInternals {
  /** Keep the first N churn operations handed out (applied or refused), for `onChurnOps`. */
  readonly keepChurnOps?: number;
  /** Called with the kept churn operations, in order, when the run ends. */
  readonly onChurnOps?: (ops: readonly ChurnOp[]) => void;
  /**
   * Called with the built machine before anything runs (after hotplug setup), to add
   * listeners or wrap devices: how tests make a listener or device fail on its own.
   */
  readonly prepareMachine?: (machine: Machine) => void;
  /**
   * Called once the vCPUs run and the clock started, with the pool and the backend's
   * slot: how tests make a thread die on its own (not injected).
   */
  readonly onRunning?: (run: { readonly pool: VcpuPool; readonly backend: BackendSlot }) => void;
}

/** Runs one simulation and resolves its report. Bad options throw `OptionsError`. */
export async function runSimulation(
  options: RunOptions = {},
  internals: SimulationInternals = {},
): Promise<RunReport> {
  const first = resolveRunOptions(options);
  const recording = first.replay === undefined ? undefined : readRecording(first.replay);
  const given = recording === undefined ? options : withReplayDefaults(options, recording);
  const checked = resolveRunOptions(given);
  // A workload module is loaded and tried before anything starts.
  if (isModulePath(checked.workload)) await loadWorkloadModule(checked);
  // A plug-in module is loaded (and registered) here; from then on it goes by its name.
  const strategy = (await resolveStrategy(checked.strategy)).name;
  const machine = await loadSimulationMachine(checked.machine, checked.hypIoeventfd);
  try {
    return await simulate(
      withMachineDefaults({ ...given, strategy }, machine),
      machine,
      internals,
      recording,
    );
  } finally {
    machine.dispose();
  }
}

/**
 * The options with a recording's machine, seed and flags filled in where the caller gave
 * none (faults are not: a replay applies the recorded churn, it injects only what it is
 * asked to).
 */
function withReplayDefaults(options: RunOptions, recording: Recording): RunOptions {
  const h = recording.header;
  const f = h.flags;
  const pick = <K extends keyof RunOptions>(key: K, value: RunOptions[K]) =>
    options[key] === undefined ? { [key]: value } : {};
  return {
    ...options,
    ...pick('machine', h.machine),
    ...pick('seed', h.seeds.churn),
    ...pick('vcpus', f.vcpus),
    ...pick('durationSeconds', f.durationSeconds),
    ...pick('strategy', f.strategy as RunOptions['strategy']),
    ...pick('workload', f.workload as RunOptions['workload']),
    ...pick('churn', f.churn),
    ...pick('churnRate', f.churnRate),
    ...pick('check', f.check),
  };
}

/**
 * Loads the workload module of `o.workload` in this (the owner) thread before anything
 * starts: a module that cannot be imported, or whose default export is not a
 * `WorkloadDefinition`, is refused with `InvalidArgument` (exit 2 from the CLI).
 */
async function loadWorkloadModule(o: ResolvedRunOptions): Promise<void> {
  await loadWorkloadPlugin(moduleUrl(o.workload));
}

/**
 * Has a workload module build each vCPU's step function and make its first access here,
 * with the run's real targets, so a module that throws fails the run now, naming itself,
 * rather than in a vCPU thread.
 */
function tryWorkloadModule(workloads: readonly WorkloadDescription[]): void {
  for (const w of workloads) {
    if (w.plugin === undefined) continue;
    const generator = new AccessGenerator(w);
    try {
      generator.next();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`workload module ${w.plugin.url}: its step threw: ${message}`, {
        cause: error,
      });
    }
  }
}

/**
 * The options with the machine file's run defaults (`churn`, `workload`) filled in where
 * the caller gave none, resolved. A bad default names its path under `machine.`.
 */
function withMachineDefaults(options: RunOptions, machine: Machine): ResolvedRunOptions {
  const defaults: { churn?: RunOptions['churn']; churnRate?: number; workload?: string } = {};
  if (options.churn === undefined && machine.churn?.kinds !== undefined) {
    defaults.churn = machine.churn.kinds as RunOptions['churn']; // checked when resolved
  }
  if (options.churnRate === undefined && machine.churn?.rate !== undefined) {
    defaults.churnRate = machine.churn.rate;
  }
  if (options.workload === undefined && machine.workload !== undefined) {
    defaults.workload = machine.workload; // checked when resolved
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
  recording: Recording | undefined,
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
  const growth = new GrowthReplayer(machine.memory);
  const replay =
    recording === undefined
      ? undefined
      : new ReplaySchedule(recording, (change) => {
          growth.apply(change);
          return publisher.generation;
        });
  let recorder: ChurnRecorder | undefined;
  const churn = new ChurnDriver({
    schedule:
      replay ??
      new ChurnSchedule({
        seed: o.seed,
        kinds: churnConfig.kinds,
        targets: churnTargetsOf(machine),
      }),
    rate: churnConfig.rate,
    apply: (op) => applyChurnOp(machine, publisher, op),
    onApplied: (op, t) => {
      churnEvents.record(t, op.kind);
      recorder?.applied(op, publisher.generation);
      replay?.outcome(op, publisher.generation);
    },
    onRefused: (op, error) => {
      recorder?.refused(op, errorText(error));
      replay?.outcome(op, undefined);
      faults.onRefused(`churn ${describeChurnOp(op)}`, error);
    },
    keepOps: internals.keepChurnOps ?? 0,
  });
  const pool = new VcpuPool({
    vcpus: o.vcpus,
    publisher,
    sampleEvery: o.check ? SAMPLE_EVERY : 0,
    poisonWord: o.check ? POISON_U32 : -1,
    sliceMs: SLICE_MS,
    onMmioError: (vcpu, error) => faults.onMmioError(vcpu, error),
    verify: verifyAll,
    doorbells: machine.memory,
    ...(o.stall > 0 ? { stall: { vcpu: 0, ms: o.stall, everyMs: STALL_EVERY_MS } } : {}),
  });
  const observer = new RunObserver(pool, checker, o.vcpus);
  const failures = new FailureLog();
  const backend = new BackendSlot(
    (replaces) =>
      DeviceBackend.start({
        machine,
        publisher,
        seed: o.seed,
        poisonWord: o.check ? POISON_U32 : -1,
        replaces,
      }),
    () => observer.backendReplaced(),
  );
  internals.prepareMachine?.(machine);
  const faults = new FaultInjector({
    kinds: o.faults,
    seed: o.seed,
    durationSeconds: o.durationSeconds,
    machine,
    publisher,
    pool,
    backend,
    failures,
    onTopologyChange: (change) => recorder?.faultChange(change, publisher.generation),
  });
  let interrupted = false;
  let seconds = 0;
  try {
    await backend.start();
    const workloads = workloadsFor(machine, {
      workload: o.workload,
      ...(isModulePath(o.workload) ? { pluginUrl: moduleUrl(o.workload) } : {}),
      seed: o.seed,
      vcpus: o.vcpus,
      churn: churnConfig.kinds,
      aliasWindows: verifyAll,
    });
    tryWorkloadModule(workloads);
    prefault(machine, workloads[0]?.ram ?? []);
    if (verifyAll) {
      stampRanges(machine, workloads[0]?.ram ?? []);
      stampAliasTargets(machine);
    }
    pool.start(workloads);
    await pool.whenRunning();
    if (o.record !== undefined) recorder = new ChurnRecorder(o.record, recordHeader(o, publisher));
    const t0 = performance.now();
    observer.start(t0);
    churn.start(t0);
    internals.onRunning?.({ pool, backend });
    interrupted = await runLoop(o, observer, churn, publisher, backend, faults, replay);
  } finally {
    // Stop order: faults, churn, vCPUs, backend; then one last grace period before
    // anything ends. Each step that throws is a failure in the report, never an exception
    // past it.
    await failures.guard('fault-not-survived', 'settling the injected faults', () =>
      faults.settle(),
    );
    churn.stop();
    recorder?.close();
    await failures.guard('check-not-run', 'stopping the vCPUs', () => pool.stop());
    seconds = observer.elapsed();
    backend.reportDeath(failures);
    const current = backend.current;
    const final = await failures.guard('backend-died', 'stopping the device backend', () =>
      current?.stop(),
    );
    observer.absorbBackend(final);
    observer.drainVcpus(publisher.generation);
    await failures.guard('check-not-run', 'the final grace period', () => publisher.synchronize());
    if (current !== undefined) {
      checkCompletions(current, machine, final, checker, failures, publisher.generation, seconds);
    }
    await failures.guard('check-not-run', 'ending the vCPU threads', () => pool.destroy());
    await failures.guard('check-not-run', 'closing the publisher', () => publisher.close());
    faults.dispose();
  }
  for (const lost of pool.lost) {
    if (faults.wasInjected(lost)) continue;
    failures.record('vcpu-died', `vCPU ${lost.vcpu} died in slice ${lost.slice}: ${lost.error}`);
  }
  // A device plug-in that threw: the vCPU saw IoAccess, the run lists the failure.
  for (const d of machine.devices.values()) {
    if (d.device instanceof PluginDevice && d.device.failure !== undefined) {
      failures.record('device-failed', `device ${d.name} (${d.device.name}): ${d.device.failure}`);
    }
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
    ownerIoeventfdSignals: pool.ownerIoeventfdSignals,
    droppedSamples: pool.droppedSamples(),
    failures,
    faults: o.faults.length > 0 ? faults.report() : undefined,
    replay:
      replay === undefined || recording === undefined
        ? undefined
        : {
            file: recording.path,
            total: replay.total,
            replayed: replay.handedOut,
            mismatches: replay.mismatches,
            ...(replay.refusedAsRecorded > 0
              ? { refusedAsRecorded: replay.refusedAsRecorded }
              : {}),
            ...(replay.faultChangesReplayed > 0
              ? { faultChanges: replay.faultChangesReplayed }
              : {}),
            ...(replay.firstMismatch === undefined ? {} : { firstMismatch: replay.firstMismatch }),
          },
    record: recorder === undefined ? undefined : { file: recorder.path, ops: recorder.count },
  });
}

/**
 * The owner's loop while the vCPUs run: every timeline interval (at most `TICK_MS`) it
 * checks samples and adds a timeline point, and now and then drains the backend and reports progress. Resolves `true`
 * when the run was aborted, `false` when its time is up.
 */
async function runLoop(
  o: ResolvedRunOptions,
  observer: RunObserver,
  churn: ChurnDriver,
  publisher: SharedViewPublisher,
  backend: BackendSlot,
  faults: FaultInjector,
  replay: ReplaySchedule | undefined,
): Promise<boolean> {
  // A replay runs on until every recorded operation was applied (at most twice as long).
  const replayLimit = 2 * o.durationSeconds + 5;
  const timelineMs = timelineIntervalMs(o.durationSeconds);
  let nextTimeline = timelineMs / 1000;
  let nextProgress = o.progressIntervalMs / 1000;
  let nextBackendDrain = BACKEND_DRAIN_MS / 1000;
  let churnFailed = false;
  for (;;) {
    await sleep(timelineMs);
    if (o.signal?.aborted) return true;
    const now = observer.elapsed();
    if (churn.error !== undefined && !churnFailed) {
      churnFailed = true;
      faults.failures.record('churn-failed', `churn stopped: ${errorText(churn.error)}`, now);
    }
    faults.tick(now);
    observer.drainVcpus(publisher.generation);
    if (now >= nextTimeline) {
      observer.sampleTimeline(now, publisher.generation);
      nextTimeline += timelineMs / 1000;
    }
    if (now >= nextBackendDrain) {
      observer.absorbBackend(await backend.drain());
      nextBackendDrain += BACKEND_DRAIN_MS / 1000;
    }
    if (o.onProgress !== undefined && now >= nextProgress) {
      o.onProgress(observer.progress(o.durationSeconds, publisher.generation, churn.updates));
      nextProgress += o.progressIntervalMs / 1000;
    }
    const replaying = replay !== undefined && !replay.done && now < replayLimit;
    if (now >= o.durationSeconds && !replaying && !faults.recovering(now)) return false;
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

/** The header of a `--record` file: seeds, machine, the run's flags, the start generation. */
function recordHeader(o: ResolvedRunOptions, publisher: SharedViewPublisher): RecordHeader {
  return {
    type: 'header',
    format: RECORD_FORMAT,
    machine: o.machine,
    seeds: { churn: o.seed, workload: o.seed, faults: o.seed },
    flags: {
      vcpus: o.vcpus,
      durationSeconds: o.durationSeconds,
      strategy: o.strategy,
      workload: o.workload,
      churn: o.churn,
      churnRate: o.churnRate,
      check: o.check,
      faults: o.faults,
    },
    startGeneration: publisher.generation,
  };
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
