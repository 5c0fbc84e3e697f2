/**
 * Fault injection for a run (SPEC 11, `--faults`): injects each enabled fault kind on a
 * seeded schedule, counts what it injected and what the run survived, and tells the run
 * which deaths and errors it caused, so that everything else is a failure (exit 3).
 *
 * Schedule: faults go in between `startAt` and `endAt` of the run (the last stretch is
 * left free so the run can show it recovered), one every `period` seconds, the kinds in
 * a seeded order round after round. One injection is in flight at a time. A fault that
 * finds nothing to hit (no MMIO exit reached the armed device, no topology change reached
 * the armed listener within `ARM_SECONDS`) is disarmed and not counted.
 *
 * Survival, per kind: `kill-vcpu` the pool restarted the vCPU and it made accesses again;
 * `kill-backend` a new backend answered a drain; `throw-device` the vCPU got its failed
 * access back and the vCPUs kept running; `throw-listener` the refused change was rolled
 * back and a later change was published (a device's own change, such as a flash flipping
 * its romd mode, meets the armed listener too); `slow-owner` the vCPUs made accesses
 * across the stall (readers never wait for the owner); `table-growth` the big view and
 * its removal were both published and passed a grace period. A fault not survived within
 * `SURVIVE_SECONDS`, or by the end of the run, is a `fault-not-survived` failure.
 *
 * Owner thread only; `tick` is called from the run loop, `settle` before the run stops.
 */
import { AddressSpaceError, hex } from '../base/errors.js';
import type { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import { Prng } from '../concurrent/vcpu/prng.js';
import type { LostVcpu, VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import { VcpuStatus } from '../concurrent/vcpu/vcpu-state.js';
import type { Listener } from '../core/listeners.js';
import type { RegionOps } from '../core/types.js';
import type { Machine } from '../machine/machine.js';
import type { BackendSlot } from './backend-slot.js';
import {
  type FaultCounts,
  type FaultKind,
  InjectedFault,
  isInjected,
  zeroFaultCounts,
} from './fault-kinds.js';
import { errorText, type FailureLog } from './run-failures.js';
import {
  type FaultTopologyChange,
  freeGap,
  GROWTH_REGIONS,
  GROWTH_SIZE,
  growthContainer,
} from './table-growth.js';

/** How long an armed device or listener waits to be called before it is disarmed. */
const ARM_SECONDS = 1;
/** How long a fault may take to be survived. */
const SURVIVE_SECONDS = 5;
/** How soon a fault that found nothing to hit is tried again. */
const RETRY_SECONDS = 0.03;
/** How long `slow-owner` keeps the owner thread busy. */
export const STALL_MS = 150;
const SALT = 0x46415554; // "FAUT"

export interface FaultInjectorOptions {
  readonly kinds: readonly FaultKind[];
  readonly seed: number;
  readonly durationSeconds: number;
  readonly machine: Machine;
  readonly publisher: SharedViewPublisher;
  readonly pool: VcpuPool;
  readonly backend: BackendSlot;
  readonly failures: FailureLog;
  /** Told each topology change a fault made itself, once published (a recording keeps it). */
  readonly onTopologyChange?: (change: FaultTopologyChange) => void;
}

interface PendingSurvival {
  readonly kind: FaultKind;
  readonly deadline: number;
  readonly check: () => boolean;
}

/** The `faults` key of a run report. */
export interface FaultsReport {
  readonly injected: FaultCounts;
  readonly survived: FaultCounts;
  /** The first errors the injected throws came back as, with their text (at most 10). */
  readonly errors: readonly string[];
}

/** Error texts of injected throws kept for the report. */
const KEPT_ERRORS = 10;

export class FaultInjector {
  readonly injected = zeroFaultCounts();
  /** Where failures go (the run's log). */
  readonly failures: FailureLog;
  readonly survived = zeroFaultCounts();
  private readonly o: FaultInjectorOptions;
  private readonly prng: Prng;
  private readonly startAt: number;
  private readonly endAt: number;
  private readonly period: number;
  private order: FaultKind[] = [];
  private nextAt: number;
  private inFlight: Promise<void> | undefined;
  private pending: PendingSurvival[] = [];
  /** vCPU thread deaths still expected from `kill-vcpu`. */
  private expectedLosses = 0;
  private lostSeen = 0;
  /** The deaths of `pool.lost` that were injected. */
  private readonly injectedLosses = new Set<LostVcpu>();
  private listener: ArmableListener | undefined;
  private armedDevice: { restore: () => void; until: number } | undefined;
  private growths = 0;
  private readonly errors: string[] = [];
  private now = 0;

  constructor(options: FaultInjectorOptions) {
    this.o = options;
    this.failures = options.failures;
    this.prng = new Prng((options.seed ^ SALT) >>> 0);
    const d = options.durationSeconds;
    this.startAt = Math.min(0.1 * d, 1);
    this.endAt = d - Math.max(0.5, Math.min(5, 0.4 * d));
    const kinds = Math.max(1, options.kinds.length);
    // About three rounds of every kind in a short run; one fault every 2 s in a long one.
    this.period = Math.min(2, Math.max(0.1, (this.endAt - this.startAt) / (3 * kinds)));
    this.nextAt = this.startAt;
    if (options.kinds.includes('throw-listener')) {
      this.listener = new ArmableListener();
      options.machine.memory.registerListener(this.listener);
    }
  }

  /** Whether `lost` (an entry of the pool's `lost`) was a death this injector caused. */
  wasInjected(lost: LostVcpu): boolean {
    return this.injectedLosses.has(lost);
  }

  /** The report's `faults` key. */
  report(): FaultsReport {
    return {
      injected: { ...this.injected },
      survived: { ...this.survived },
      errors: [...this.errors],
    };
  }

  /**
   * One turn of the run loop at `now` seconds: tells injected vCPU deaths from others
   * (restarting the injected ones), reports a backend that died on its own, checks the
   * pending survivals and starts the next injection when one is due.
   */
  tick(now: number): void {
    this.now = now;
    this.watchVcpus(now);
    this.o.backend.reportDeath(this.o.failures, now);
    this.checkSurvivals(now, false);
    if (this.armedDevice !== undefined && now >= this.armedDevice.until) this.disarmDevice();
    if (this.listener?.armed && now >= this.listener.until) this.listener.armed = false;
    if (this.o.kinds.length === 0 || this.inFlight !== undefined) return;
    if (now < this.nextAt || now >= this.endAt) return;
    this.nextAt = now + this.period;
    const kind = this.nextKind();
    this.inFlight = this.inject(kind)
      .then((hit) => {
        if (hit) return;
        // Nothing to hit just now (every vCPU between slices, ...): try it again soon.
        this.order.unshift(kind);
        this.nextAt = Math.min(this.nextAt, this.now + RETRY_SECONDS);
      })
      .catch((error) => {
        this.o.failures.record('fault-not-survived', `injecting ${kind}: ${errorText(error)}`, now);
      })
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /**
   * Whether the run should go on past its time so that an injection in flight ends and
   * the pending faults can show they were survived (at most `SURVIVE_SECONDS` more).
   */
  recovering(now: number): boolean {
    if (now >= this.o.durationSeconds + SURVIVE_SECONDS) return false;
    return this.inFlight !== undefined || this.pending.length > 0;
  }

  /** Before the run stops: waits for the injection in flight, then judges every pending one. */
  async settle(): Promise<void> {
    await this.inFlight;
    this.disarmDevice();
    if (this.listener !== undefined) this.listener.armed = false;
    this.watchVcpus(this.now);
    this.checkSurvivals(this.now, true);
  }

  /** Takes the armed listener out of the address space (after the run). */
  dispose(): void {
    if (this.listener === undefined) return;
    try {
      this.o.machine.memory.unregisterListener(this.listener);
    } catch {
      // The address space may be torn down already; the listener holds nothing.
    }
    this.listener = undefined;
  }

  /**
   * A device callback's error that reached the MMIO server: an injected `throw-device`
   * is survived once the vCPUs run on; anything else a device threw is a failure.
   */
  onMmioError(vcpu: number, error: unknown): void {
    // A device that changes the topology itself (a flash flipping its romd mode) meets an
    // armed listener like any change: that refusal is the listener fault, not the device's.
    if (isInjected(error, 'throw-listener')) {
      this.onRefused(`a device's own change (vCPU ${vcpu})`, error);
      return;
    }
    if (isInjected(error, 'throw-device')) {
      this.keepError(`vCPU ${vcpu}: ${errorText(error)}`);
      const base = this.o.pool.counters().accesses;
      this.expectSurvival('throw-device', () => this.o.pool.counters().accesses > base);
      return;
    }
    const cause = error instanceof AddressSpaceError ? error.cause : error;
    if (error instanceof AddressSpaceError && cause === undefined) return; // the device refused
    this.o.failures.record(
      'device-failed',
      `vCPU ${vcpu}: a device callback threw: ${errorText(error)}`,
      this.now,
    );
  }

  /**
   * A topology change the address space refused: an injected `throw-listener` is
   * survived once a later change applies; a listener that threw anything but an
   * `AddressSpaceError` is a failure; other refusals are ordinary.
   */
  onRefused(what: string, error: unknown): void {
    if (isInjected(error, 'throw-listener')) {
      this.keepError(`${what}: ${errorText(error)}`);
      // Survived once a later change gets through the listeners and is published.
      const base = this.o.publisher.generation;
      this.expectSurvival('throw-listener', () => this.o.publisher.generation > base);
      return;
    }
    if (!(error instanceof AddressSpaceError) || error.code !== 'ListenerRequest') return;
    if (error.cause instanceof AddressSpaceError) return;
    this.o.failures.record(
      'listener-failed',
      `a memory listener failed ${what}: ${errorText(error)}`,
      this.now,
    );
  }

  private keepError(text: string): void {
    if (this.errors.length < KEPT_ERRORS) this.errors.push(text);
  }

  private nextKind(): FaultKind {
    if (this.order.length === 0) {
      this.order = [...this.o.kinds];
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = this.prng.below(i + 1);
        [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
      }
    }
    return this.order.shift()!;
  }

  /** Injects (or arms) one fault; false when it found nothing to hit. */
  private async inject(kind: FaultKind): Promise<boolean> {
    switch (kind) {
      case 'kill-vcpu':
        return this.killVcpu();
      case 'kill-backend':
        return this.killBackend();
      case 'throw-device':
        return this.armDevice();
      case 'throw-listener':
        return this.armListener();
      case 'slow-owner':
        return this.stallOwner();
      case 'table-growth':
        return this.growTable();
    }
  }

  private async killVcpu(): Promise<boolean> {
    const pool = this.o.pool;
    const running: number[] = [];
    for (let v = 0; v < pool.vcpus; v++) {
      const status = pool.status(v);
      if (status === VcpuStatus.Running || status === VcpuStatus.InMmioExit) running.push(v);
    }
    if (running.length === 0) return false;
    const vcpu = running[this.prng.below(running.length)]!;
    this.expectedLosses++;
    if (!(await pool.terminateVcpuThread(vcpu))) {
      this.expectedLosses--;
      return false;
    }
    this.injected['kill-vcpu']++;
    return true;
  }

  /** New deaths in the pool: injected ones are restarted, others are failures. */
  private watchVcpus(now: number): void {
    const pool = this.o.pool;
    for (; this.lostSeen < pool.lost.length; this.lostSeen++) {
      const lost = pool.lost[this.lostSeen]!;
      if (this.expectedLosses === 0) continue; // the run reports it as vcpu-died
      this.expectedLosses--;
      this.injectedLosses.add(lost);
      const restarted = pool.restartVcpu(lost.vcpu);
      const base = pool.counters(lost.vcpu).accesses;
      this.expectSurvival(
        'kill-vcpu',
        () =>
          restarted &&
          pool.status(lost.vcpu) !== VcpuStatus.Crashed &&
          pool.counters(lost.vcpu).accesses > base,
        now,
      );
    }
  }

  private async killBackend(): Promise<boolean> {
    const slot = this.o.backend;
    if (!(await slot.kill())) return false;
    this.injected['kill-backend']++;
    await slot.restart();
    this.expectSurvival(
      'kill-backend',
      () => slot.current !== undefined && slot.drainsAnswered > 0,
    );
    return true;
  }

  /** Arms one device model: its next callback throws an `InjectedFault`. */
  private async armDevice(): Promise<boolean> {
    // Devices the vCPUs' workloads reach by MMIO exits (memory space, with probes).
    const machine = this.o.machine;
    const devices = machine.targets.mmio
      .filter((t) => t.space === 'memory' && t.probes.length > 0)
      .flatMap((t) => machine.devices.get(t.device) ?? []);
    if (devices.length === 0 || this.armedDevice !== undefined) return false;
    const chosen = devices[this.prng.below(devices.length)]!;
    const ops = chosen.device as RegionOps;
    const own = {
      read: Object.getOwnPropertyDescriptor(ops, 'read'),
      write: Object.getOwnPropertyDescriptor(ops, 'write'),
    };
    const restore = () => {
      for (const key of ['read', 'write'] as const) {
        const d = own[key];
        if (d === undefined) delete (ops as Partial<RegionOps>)[key];
        else Object.defineProperty(ops, key, d);
      }
    };
    const fire = (what: string) => () => {
      restore();
      this.armedDevice = undefined;
      this.injected['throw-device']++;
      throw new InjectedFault('throw-device', `${chosen.name} ${what}`);
    };
    // Own properties shadow the model's methods until the first call or the disarm.
    ops.read = fire('read');
    ops.write = fire('write');
    this.armedDevice = { restore, until: this.now + ARM_SECONDS };
    return true;
  }

  private disarmDevice(): void {
    this.armedDevice?.restore();
    this.armedDevice = undefined;
  }

  private async armListener(): Promise<boolean> {
    const listener = this.listener;
    if (listener === undefined || listener.armed) return false;
    listener.armed = true;
    listener.until = this.now + ARM_SECONDS;
    listener.onFire = () => {
      this.injected['throw-listener']++;
    };
    return true;
  }

  private async stallOwner(): Promise<boolean> {
    const pool = this.o.pool;
    const before = pool.counters().accesses;
    const until = performance.now() + STALL_MS;
    while (performance.now() < until) {
      // The owner is busy: no exits served, no churn, no grace periods.
    }
    this.injected['slow-owner']++;
    this.expectSurvival('slow-owner', () => pool.counters().accesses > before);
    return true;
  }

  /** Publishes a view with `GROWTH_REGIONS` more ranges, waits a grace period, removes them. */
  private async growTable(): Promise<boolean> {
    const memory = this.o.machine.memory;
    const base = freeGap(memory.root, GROWTH_SIZE);
    if (base === undefined) return false;
    const id = ++this.growths;
    const container = growthContainer(id);
    const publisher = this.o.publisher;
    if (
      !this.changeTopology('adding the table-growth regions', () =>
        memory.root.addSubregion(container, base),
      )
    ) {
      return true; // an armed listener refused it: that fault was injected instead
    }
    this.o.onTopologyChange?.({ fault: 'table-growth', change: 'add', id, base });
    const grown = publisher.generation;
    this.injected['table-growth']++;
    await publisher.synchronize();
    let removed = false;
    for (let tries = 0; tries < 100 && !removed; tries++) {
      removed = this.changeTopology('removing the table-growth regions', () =>
        memory.root.deleteSubregion(container),
      );
      if (!removed) await new Promise((r) => setTimeout(r, 10));
    }
    if (removed) this.o.onTopologyChange?.({ fault: 'table-growth', change: 'remove', id, base });
    else {
      this.o.failures.record(
        'fault-not-survived',
        `table-growth: the ${GROWTH_REGIONS} regions at ${hex(base)} could not be removed`,
        this.now,
      );
      return true;
    }
    await publisher.synchronize();
    const after = publisher.generation;
    this.expectSurvival('table-growth', () => after > grown);
    return true;
  }

  /** Runs one change; an armed listener's refusal counts as that fault. False if refused. */
  private changeTopology(what: string, change: () => void): boolean {
    try {
      change();
      return true;
    } catch (error) {
      if (!isInjected(error, 'throw-listener')) throw error;
      this.onRefused(what, error);
      return false;
    }
  }

  private expectSurvival(kind: FaultKind, check: () => boolean, now = this.now): void {
    this.pending.push({ kind, check, deadline: now + SURVIVE_SECONDS });
  }

  private checkSurvivals(now: number, final: boolean): void {
    const still: PendingSurvival[] = [];
    for (const p of this.pending) {
      if (p.check()) this.survived[p.kind]++;
      else if (final || now > p.deadline) {
        this.o.failures.record(
          'fault-not-survived',
          `an injected ${p.kind} fault was not survived ${final ? 'by the end of the run' : `within ${SURVIVE_SECONDS} s`}`,
          now,
        );
      } else still.push(p);
    }
    this.pending = still;
  }
}

/**
 * A memory listener that does nothing, except throw an `InjectedFault` on the first
 * request it gets while armed (then it is disarmed).
 */
class ArmableListener implements Listener {
  armed = false;
  until = 0;
  onFire: () => void = () => {};
  private on = false;

  priority(): number {
    return 0;
  }
  enabled(): boolean {
    return this.on;
  }
  enable(): void {
    this.on = true;
  }
  disable(): void {
    this.on = false;
  }
  handleRequest(): void {
    if (!this.armed) return;
    this.armed = false;
    this.onFire();
    throw new InjectedFault('throw-listener', 'a memory listener refused the change');
  }
}
