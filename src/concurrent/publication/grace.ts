/**
 * Grace periods for the quiescent-state strategies (`rcu`, `seqlock`), on the owner
 * thread, never blocking its event loop.
 *
 * A grace period has a target epoch: it is over once every reader that counts (online,
 * not evicted) has announced an epoch >= the target in its slot. A reader announces only
 * when it adopts a table (rcu: at its first access after the publish; seqlock: at the end
 * of a batch of accesses), after it dropped every translation of older views, so from
 * then on it cannot reach a table or mapping that the publish of the target retired.
 *
 * `synchronize()` and `callRcu()` take the current epoch as their target. A reader that
 * already announced it before the call has passed a quiescent state since the publish
 * that retired anything the caller could have removed: readers reach memory only through
 * published tables, so nothing they hold can be older than the table they announced.
 *
 * Waiting: the owner reads `kWakeSeq`, raises `kOwnerWaiting`, scans the slots, and if
 * someone lags sleeps with `Atomics.waitAsync(kWakeSeq)`. A reader stores its epoch, then
 * loads `kOwnerWaiting`, and only if it is set bumps `kWakeSeq` and notifies: the hot path
 * never pays for notify. Sequentially consistent Atomics make the two orders
 * (owner: flag, scan; reader: announce, check flag) a Dekker pair: either the scan sees
 * the announcement or the reader sees the flag, so no wake-up is lost. A bounded poll
 * interval backs this up.
 *
 * Leases (what is bounded): a reader whose announced epoch has not changed for `leaseMs`
 * while a grace period waits for it is evicted (its slot set to kReaderEvicted) and the
 * grace period goes on without it: `synchronize()` resolves within about
 * `leaseMs + pollMs` after a reader thread dies without being marked offline. A live
 * reader adopts within one access (rcu) or one batch (seqlock), so only a thread that is
 * dead, blocked while online, or descheduled for the whole lease is evicted; it faults
 * with `ReaderFault` when it next adopts. The pool should call `markReaderOffline` when it
 * sees a thread exit, which frees grace periods at once.
 *
 * This module waits and calls back; it never publishes, reclaims or poisons itself.
 */
import { wallClockMs } from '../../base/clock.js';
import { countsForGrace, isAdoptedEpoch, kOwnerWaiting, kWakeSeq } from '../reader/layout.js';
import { SampleWindow } from './publication-stats.js';
import type { ReaderRegistry } from './reader-registry.js';

export interface GraceOptions {
  /** A reader lagging this long behind a waiting grace period is evicted. */
  readonly leaseMs: number;
  /** The longest sleep between two scans. */
  readonly pollMs: number;
}

interface PendingGrace {
  readonly target: number;
  readonly startedMs: number;
  readonly callbacks: (() => void)[];
}

/** Publish times of recent epochs, for publish-to-adopt latency. */
const PUBLISH_TIMES = 4096;

export class GracePeriods {
  readonly adoptLatencyUs = new SampleWindow();
  readonly durationUs = new SampleWindow();
  private readonly queue: PendingGrace[] = [];
  private readonly control: Int32Array;
  private readonly registry: ReaderRegistry;
  private readonly options: GraceOptions;
  private readonly publishEpoch = new Int32Array(PUBLISH_TIMES);
  private readonly publishMs = new Float64Array(PUBLISH_TIMES);
  /** Per reader: the last slot value seen, and since when it has not changed while lagging. */
  private readonly lastSeen: Int32Array;
  private readonly lagSinceMs: Float64Array;
  private driving = false;
  private callbackErrors = 0;
  private completed = 0;

  constructor(control: Int32Array, registry: ReaderRegistry, options: GraceOptions) {
    this.control = control;
    this.registry = registry;
    this.options = options;
    this.lastSeen = new Int32Array(registry.maxReaders).fill(-100);
    this.lagSinceMs = new Float64Array(registry.maxReaders);
  }

  /** Remembers when `epoch` was published. */
  published(epoch: number, atMs: number): void {
    this.publishEpoch[epoch % PUBLISH_TIMES] = epoch;
    this.publishMs[epoch % PUBLISH_TIMES] = atMs;
  }

  /** Runs `fn` (on the owner's event loop) once every reader counting now has announced >= `target`. */
  request(target: number, fn: () => void): void {
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.target === target) {
      last.callbacks.push(fn);
    } else {
      this.queue.push({ target, startedMs: wallClockMs(), callbacks: [fn] });
    }
    if (!this.driving) {
      this.driving = true;
      void this.drive();
    }
  }

  get pending(): number {
    return this.queue.length;
  }
  get errors(): number {
    return this.callbackErrors;
  }
  get count(): number {
    return this.completed;
  }

  private async drive(): Promise<void> {
    // Never complete inside the caller (publish runs inside a mutating call).
    await Promise.resolve();
    try {
      while (this.queue.length > 0) {
        const seq = Atomics.load(this.control, kWakeSeq);
        Atomics.store(this.control, kOwnerWaiting, 1);
        const now = wallClockMs();
        const minEpoch = this.scan(now);
        this.completeUpTo(minEpoch, now);
        if (this.queue.length === 0) break;
        const result = Atomics.waitAsync(this.control, kWakeSeq, seq, this.options.pollMs);
        if (result.async) await result.value;
      }
    } finally {
      Atomics.store(this.control, kOwnerWaiting, 0);
      this.driving = false;
    }
  }

  /** The lowest epoch announced by a reader that counts (Infinity when none); evicts stalled ones. */
  private scan(now: number): number {
    const target = this.queue[0]!.target;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.registry.maxReaders; i++) {
      const state = this.registry.state(i);
      if (!countsForGrace(state)) {
        this.lastSeen[i] = state;
        continue;
      }
      if (state !== this.lastSeen[i]) {
        // Only epoch-to-epoch moves measure publish-to-adopt: going online is not adopting.
        if (isAdoptedEpoch(state) && isAdoptedEpoch(this.lastSeen[i]!)) {
          this.sampleAdoption(i, state);
        }
        this.lastSeen[i] = state;
        this.lagSinceMs[i] = now;
      }
      if (state >= target) {
        if (state < min) min = state;
        continue;
      }
      // The lease runs from when this reader last moved, but never from before this wait began.
      const lagSince = Math.max(this.lagSinceMs[i]!, this.queue[0]!.startedMs);
      if (now - lagSince > this.options.leaseMs && this.registry.evict(i, state)) {
        this.lastSeen[i] = -100;
        continue;
      }
      if (state < min) min = state;
    }
    return min;
  }

  private sampleAdoption(index: number, epoch: number): void {
    const slot = epoch % PUBLISH_TIMES;
    if (this.publishEpoch[slot] !== epoch) return;
    const latencyMs = this.registry.adoptTimeMs(index) - this.publishMs[slot]!;
    if (latencyMs >= 0) this.adoptLatencyUs.add(latencyMs * 1000);
  }

  private completeUpTo(minEpoch: number, now: number): void {
    while (this.queue.length > 0 && this.queue[0]!.target <= minEpoch) {
      const done = this.queue.shift()!;
      this.completed += 1;
      this.durationUs.add((now - done.startedMs) * 1000);
      for (const fn of done.callbacks) {
        try {
          fn();
        } catch {
          this.callbackErrors += 1;
        }
      }
    }
  }
}
