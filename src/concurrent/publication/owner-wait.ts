/**
 * Asynchronous waits of the owner for a condition on shared memory (`OwnerContext.wait`),
 * used by strategies whose reclamation is decided by scanning what readers hold (refcount,
 * hazard, ebr). It never blocks the owner's event loop.
 *
 * Waiting: like grace.ts, the owner reads `kWakeSeq`, raises `kOwnerWaiting`, checks every
 * pending condition in order, and if any is still false sleeps with
 * `Atomics.waitAsync(kWakeSeq)` for at most the shortest poll interval asked for. Readers
 * that release something at a coarse point (an ebr reader unpinning) bump `kWakeSeq` when
 * they see `kOwnerWaiting`; readers that release on every access (hazard, refcount) do
 * not (it would cost every access a notify while churn keeps the owner waiting), and are
 * noticed by the poll. A condition that throws counts as met (its error is counted): a
 * broken strategy must not stop every later wait.
 *
 * This module calls back; it never publishes or reclaims itself.
 */
import { kOwnerWaiting, kWakeSeq } from '../reader/layout.js';

interface PendingWait {
  readonly ready: () => boolean;
  readonly then: () => void;
  readonly everyMs: number;
}

export class OwnerWaits {
  private readonly control: Int32Array;
  private readonly defaultMs: number;
  private pendingWaits: PendingWait[] = [];
  private driving = false;
  private failures = 0;

  constructor(control: Int32Array, pollMs: number) {
    this.control = control;
    this.defaultMs = pollMs;
  }

  /** Runs `then` once `ready()` is true (checked at once, on wake-ups and every `everyMs`). */
  wait(ready: () => boolean, then: () => void, everyMs = this.defaultMs): void {
    if (this.met(ready)) {
      then();
      return;
    }
    this.pendingWaits.push({ ready, then, everyMs });
    if (!this.driving) {
      this.driving = true;
      void this.drive();
    }
  }

  get pending(): number {
    return this.pendingWaits.length;
  }

  /** Conditions and callbacks that threw. */
  get errors(): number {
    return this.failures;
  }

  private met(ready: () => boolean): boolean {
    try {
      return ready();
    } catch {
      this.failures += 1;
      return true;
    }
  }

  private async drive(): Promise<void> {
    try {
      while (this.pendingWaits.length > 0) {
        const seq = Atomics.load(this.control, kWakeSeq);
        Atomics.store(this.control, kOwnerWaiting, 1);
        const still: PendingWait[] = [];
        const done: PendingWait[] = [];
        for (const w of this.pendingWaits) (this.met(w.ready) ? done : still).push(w);
        // Callbacks may add waits: those land in the fresh list.
        this.pendingWaits = still;
        for (const w of done) {
          try {
            w.then();
          } catch {
            this.failures += 1;
          }
        }
        if (this.pendingWaits.length === 0) break;
        let sleepMs = Number.POSITIVE_INFINITY;
        for (const w of this.pendingWaits) sleepMs = Math.min(sleepMs, w.everyMs);
        const result = Atomics.waitAsync(this.control, kWakeSeq, seq, sleepMs);
        if (result.async) await result.value;
      }
    } finally {
      Atomics.store(this.control, kOwnerWaiting, 0);
      this.driving = false;
    }
  }
}
