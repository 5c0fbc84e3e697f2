/**
 * A machine running for a migration (SPEC 10): its memory published under the chosen
 * strategy, vCPU threads on the seeded workload, the device backend serving doorbells by
 * DMA, and topology churn that does not change RAM backing (hotplug is held, as QEMU
 * holds it while migrating). The migration drives it: `pause()` stops the vCPUs, the
 * churn and the backend (nothing writes guest RAM afterwards); `close()` ends
 * everything. Owner thread only; it never copies memory itself.
 */
import { SharedViewPublisher } from '../../concurrent/publication/publisher.js';
import { VcpuPool } from '../../concurrent/vcpu/vcpu-pool.js';
import type { Machine } from '../../machine/machine.js';
import { applyChurnOp, churnTargetsOf } from '../churn-apply.js';
import { ChurnDriver } from '../churn-driver.js';
import { ChurnSchedule } from '../churn-schedule.js';
import { DeviceBackend } from '../device-backend.js';
import { workloadsFor } from '../workloads.js';
import type { ResolvedMigrateOptions } from './options.js';

/** Churn operations per second while migrating (over the enabled kinds). */
export const MIGRATION_CHURN_RATE = 200;
const SLICE_MS = 50;
const READER_LEASE_MS = 10_000;

export class RunningMachine {
  readonly publisher: SharedViewPublisher;
  readonly pool: VcpuPool;
  readonly churn: ChurnDriver;
  private backend: DeviceBackend | undefined;
  dmaOps = 0;
  private closed = false;

  private constructor(
    readonly machine: Machine,
    o: ResolvedMigrateOptions,
  ) {
    this.publisher = SharedViewPublisher.attachTo(machine.memory, {
      strategy: o.strategy,
      check: false,
      maxReaders: o.vcpus + 2,
      leaseMs: READER_LEASE_MS,
    });
    const kinds = o.churn.filter((k) => k !== 'hotplug');
    this.churn = new ChurnDriver({
      schedule: new ChurnSchedule({ seed: o.seed, kinds, targets: churnTargetsOf(machine) }),
      rate: kinds.length > 0 ? MIGRATION_CHURN_RATE : 0,
      apply: (op) => applyChurnOp(machine, this.publisher, op),
    });
    this.pool = new VcpuPool({
      vcpus: o.vcpus,
      publisher: this.publisher,
      sliceMs: SLICE_MS,
      doorbells: machine.memory,
    });
  }

  /** Starts vCPUs, backend and churn on `machine`. */
  static async start(machine: Machine, o: ResolvedMigrateOptions): Promise<RunningMachine> {
    const running = new RunningMachine(machine, o);
    try {
      running.backend = await DeviceBackend.start({
        machine,
        publisher: running.publisher,
        seed: o.seed,
        poisonWord: -1,
      });
      const kinds = o.churn.filter((k) => k !== 'hotplug');
      running.pool.start(
        workloadsFor(machine, { workload: o.workload, seed: o.seed, vcpus: o.vcpus, churn: kinds }),
      );
      await running.pool.whenRunning();
      running.churn.start();
    } catch (error) {
      await running.close();
      throw error;
    }
    return running;
  }

  /**
   * Stops everything that writes guest RAM: churn, the vCPUs (each out of its slice and
   * offline), the device backend. Resolves when nothing does any more.
   */
  async pause(): Promise<void> {
    this.churn.stop();
    await this.pool.pause();
    await this.stopBackend();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.churn.stop();
    await this.pool.stop();
    await this.stopBackend();
    await this.publisher.synchronize();
    await this.pool.destroy();
    this.publisher.close();
  }

  private async stopBackend(): Promise<void> {
    const backend = this.backend;
    this.backend = undefined;
    const report = await backend?.stop();
    if (report !== undefined) this.dmaOps += report.dmaOps;
  }
}
