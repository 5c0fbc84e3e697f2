/**
 * The owner's scans of per-reader words (layout.ts `readerStrategyWord`), shared by the
 * strategies that decide by looking at what each reader holds (rwlock, leftright, hazard,
 * refcount, ebr). A reader that is offline or evicted holds nothing: its words are skipped
 * (and the registry clears them when it marks a dead thread offline). A live reader that
 * keeps the owner waiting for longer than the lease is evicted: its slot goes to
 * kReaderEvicted and it faults at its next access (guarded-reader.ts); from then on it is
 * skipped too. That is what keeps a dead thread that nobody marked offline, or a thread
 * stalled for the whole lease, from holding the owner up for ever.
 *
 * Scans only read and evict; they never wait.
 */
import { wallClockMs } from '../../base/clock.js';
import { countsForGrace, kOwnerWaiting, kWakeSeq, readerStrategyWord } from '../reader/layout.js';
import type { OwnerContext } from './strategy-definition.js';

/** The lease of one wait: evicts readers that still block it after `ctx.leaseMs`. */
export class WaitLease {
  private readonly ctx: OwnerContext;
  private startedMs = 0;

  constructor(ctx: OwnerContext) {
    this.ctx = ctx;
  }

  /** A new wait begins now. */
  start(): void {
    this.startedMs = wallClockMs();
  }

  /** Whether reader `i`, seen in state `state` blocking the wait, was evicted now. */
  evictIfOverdue(i: number, state: number): boolean {
    if (wallClockMs() - this.startedMs <= this.ctx.leaseMs) return false;
    return this.ctx.registry.evict(i, state);
  }
}

/**
 * Whether no live reader has a nonzero strategy word `k` (a read flag, a read indicator).
 * Overdue readers are evicted (`lease`).
 */
export function wordClearEverywhere(ctx: OwnerContext, k: number, lease: WaitLease): boolean {
  const { registry, readerWords } = ctx;
  let clear = true;
  for (let i = 0; i < registry.maxReaders; i++) {
    if (Atomics.load(readerWords, readerStrategyWord(i, k)) === 0) continue;
    const state = registry.state(i);
    if (!countsForGrace(state)) continue;
    if (lease.evictIfOverdue(i, state)) continue;
    clear = false;
  }
  return clear;
}

/**
 * The owner's bounded synchronous wait: calls `check` until it returns true or `budgetMs`
 * passed; returns its last answer. Only for waits on readers' per-access words, which a
 * running reader clears within one access.
 */
export function spinFor(check: () => boolean, budgetMs: number): boolean {
  const deadline = performance.now() + budgetMs;
  for (;;) {
    if (check()) return true;
    if (performance.now() >= deadline) return false;
  }
}

/**
 * The owner's blocking wait (a blocking writer's): spins `spinMs` for `check`, then
 * sleeps with `Atomics.wait` on `kWakeSeq` (raising `kOwnerWaiting`, so readers that clear
 * a word wake it), re-checking at least every `sleepMs`. Sleeping leaves the core to the
 * readers it waits for, which on a loaded host is what lets them finish. It ends when
 * `check` is true; `check` must evict overdue readers (a `WaitLease`), so it is bounded.
 */
export function blockUntil(
  control: Int32Array,
  check: () => boolean,
  spinMs: number,
  sleepMs: number,
): void {
  if (spinFor(check, spinMs)) return;
  const before = Atomics.load(control, kOwnerWaiting);
  try {
    for (;;) {
      const seq = Atomics.load(control, kWakeSeq);
      Atomics.store(control, kOwnerWaiting, 1);
      if (check()) return;
      Atomics.wait(control, kWakeSeq, seq, sleepMs);
    }
  } finally {
    Atomics.store(control, kOwnerWaiting, before);
  }
}
