/**
 * The run's device backend as one slot that outlives the worker in it: the run drains
 * and stops whatever backend is current, fault injection kills it and starts a new one in
 * its place (a device reset: the request posted again, the completion record cleared),
 * and a backend that died on its own is reported once as a `backend-died` failure.
 *
 * Owner thread only. It never decides when to kill: fault-injector.ts does.
 */
import type { DeviceBackend } from './device-backend.js';
import type { BackendReport } from './device-backend-protocol.js';
import type { FailureLog } from './run-failures.js';

export class BackendSlot {
  /** The backend serving now (`undefined`: the machine has none, or it is being replaced). */
  current: DeviceBackend | undefined;
  /** Backends started in place of a killed one. */
  restarts = 0;
  /** Drains the current backend answered since it started. */
  drainsAnswered = 0;
  private readonly startBackend: (replaces?: DeviceBackend) => Promise<DeviceBackend | undefined>;
  private readonly onRestart: () => void;
  private reportedDeath: DeviceBackend | undefined;

  /**
   * `start` starts a backend (replacing the given one); `onRestart` is told before the
   * new one's first drain (its counters start from zero).
   */
  constructor(
    start: (replaces?: DeviceBackend) => Promise<DeviceBackend | undefined>,
    onRestart: () => void,
  ) {
    this.startBackend = start;
    this.onRestart = onRestart;
  }

  async start(): Promise<void> {
    this.current = await this.startBackend();
  }

  /** The current backend's counters, or `undefined` (none, or its thread is gone). */
  async drain(): Promise<BackendReport | undefined> {
    const report = await this.current?.drain();
    if (report !== undefined) this.drainsAnswered++;
    return report;
  }

  /** Kills the current backend (fault injection). False when there was none alive. */
  async kill(): Promise<boolean> {
    const backend = this.current;
    if (backend === undefined || backend.died !== undefined) return false;
    await backend.kill();
    return true;
  }

  /** Starts a backend in place of the current (killed) one. */
  async restart(): Promise<void> {
    const old = this.current;
    this.current = undefined;
    const fresh = await this.startBackend(old);
    this.onRestart();
    this.drainsAnswered = 0;
    this.restarts++;
    this.current = fresh;
  }

  /** Records a `backend-died` failure once for a current backend that died uninjected. */
  reportDeath(failures: FailureLog, t?: number): void {
    const backend = this.current;
    if (backend?.died === undefined || backend.killed || this.reportedDeath === backend) return;
    this.reportedDeath = backend;
    failures.record('backend-died', `the device backend thread died: ${backend.died}`, t);
  }
}
