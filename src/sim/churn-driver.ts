/**
 * The churn driver: applies the seeded schedule's operations to the machine at a target
 * rate, on the owner thread, without starving its event loop.
 *
 * MMIO exits and grace periods are served on the same event loop, so the driver works
 * in small batches: each turn applies the operations that are due (at most
 * `MAX_BATCH_OPS`, and for at most `MAX_BATCH_MS`), then yields with `setImmediate` when
 * it is behind or a timer when it is on time. A backlog older than `MAX_BACKLOG_SECONDS`
 * is dropped rather than replayed in a burst, so `perSecond` in the report is what was
 * achieved. Each operation's owner-side cost (mutate, render, tell listeners, publish) is
 * timed. An operation the address space refuses (an `AddressSpaceError`) is counted in
 * `failed` and the run goes on; anything else stops the driver and is kept in `error`.
 *
 * What is applied when is up to the clock; what is applied is up to the schedule alone.
 */
import { isAddressSpaceError } from '../base/errors.js';
import type { ChurnKind } from '../machine/churn-kind.js';
import type { ChurnOp } from './churn-schedule.js';
import { LatencyRecorder } from './stats.js';

/** Most operations applied in one event-loop turn. */
export const MAX_BATCH_OPS = 32;
/** Most milliseconds spent applying in one event-loop turn. */
export const MAX_BATCH_MS = 2;
/** Operations due longer ago than this are skipped instead of applied in a burst. */
export const MAX_BACKLOG_SECONDS = 0.1;

/** Where the driver takes its operations from: the seeded schedule, or a replay. */
export interface ChurnSource {
  readonly activeKinds: readonly ChurnKind[];
  next(): ChurnOp | undefined;
}

export interface ChurnDriverOptions {
  readonly schedule: ChurnSource;
  /** Target operations per second over all kinds; 0 applies nothing. */
  readonly rate: number;
  /** Applies one operation; throws an `AddressSpaceError` when the change is refused. */
  readonly apply: (op: ChurnOp) => void;
  /** Called after each applied (not failed) operation, `t` in seconds since `start`. */
  readonly onApplied?: (op: ChurnOp, t: number) => void;
  /** Called with each operation the address space refused and its `AddressSpaceError`. */
  readonly onRefused?: (op: ChurnOp, error: unknown, t: number) => void;
  /** How many applied operations to keep in `applied` (default 0: none). */
  readonly keepOps?: number;
}

export class ChurnDriver {
  /** Operations applied successfully. */
  updates = 0;
  /** Operations the address space refused. */
  failed = 0;
  readonly byKind: Record<ChurnKind, number>;
  readonly failedByKind: Record<ChurnKind, number>;
  readonly updateCostUs = new LatencyRecorder();
  /** The first `keepOps` operations handed out, applied or failed, in order. */
  readonly ops: ChurnOp[] = [];
  /** A non-`AddressSpaceError` thrown by `apply`: the driver stopped there. */
  error: unknown;

  private readonly options: ChurnDriverOptions;
  private readonly keepOps: number;
  private startMs = 0;
  /** Operations handed out (applied, failed or skipped as backlog). */
  private issued = 0;
  private skippedOps = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private running = false;

  constructor(options: ChurnDriverOptions) {
    this.options = options;
    this.keepOps = options.keepOps ?? 0;
    const zero = () => ({ hotplug: 0, bar: 0, romd: 0, alias: 0, ioeventfd: 0 });
    this.byKind = zero();
    this.failedByKind = zero();
  }

  /** Operations due but skipped because the driver fell too far behind. */
  get skipped(): number {
    return this.skippedOps;
  }

  /** Starts applying; `startMs` is the `performance.now()` the run's clock starts at. */
  start(startMs = performance.now()): void {
    if (this.running) return;
    this.startMs = startMs;
    this.running = this.options.rate > 0 && this.options.schedule.activeKinds.length > 0;
    if (this.running) this.turn();
  }

  /** Stops applying; no operation runs after this returns. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
  }

  private readonly turn = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    const rate = this.options.rate;
    const began = performance.now();
    const elapsed = (began - this.startMs) / 1000;
    let due = Math.floor(elapsed * rate) - this.issued;
    const maxBacklog = Math.max(1, Math.ceil(rate * MAX_BACKLOG_SECONDS));
    if (due > maxBacklog) {
      this.skippedOps += due - maxBacklog;
      this.issued += due - maxBacklog;
      due = maxBacklog;
    }
    for (let i = 0; i < due && i < MAX_BATCH_OPS && this.running; i++) {
      this.applyNext();
      if (performance.now() - began >= MAX_BATCH_MS) break;
    }
    if (!this.running) return;
    const behind = Math.floor(((performance.now() - this.startMs) / 1000) * rate) > this.issued;
    if (behind) {
      this.timer = setImmediate(this.turn);
    } else {
      const nextDueMs = this.startMs + ((this.issued + 1) / rate) * 1000;
      const wait = Math.max(1, nextDueMs - performance.now());
      this.timer = setTimeout(this.turn, wait);
    }
  };

  private applyNext(): void {
    const op = this.options.schedule.next();
    this.issued++;
    if (op === undefined) return;
    if (this.ops.length < this.keepOps) this.ops.push(op);
    const before = performance.now();
    try {
      this.options.apply(op);
    } catch (error) {
      if (!isAddressSpaceError(error)) {
        this.error = error;
        this.stop();
        return;
      }
      this.failed++;
      this.failedByKind[op.kind]++;
      this.options.onRefused?.(op, error, (performance.now() - this.startMs) / 1000);
      return;
    }
    const after = performance.now();
    this.updateCostUs.record((after - before) * 1000);
    this.updates++;
    this.byKind[op.kind]++;
    this.options.onApplied?.(op, (after - this.startMs) / 1000);
  }
}
