/**
 * Strategy `rwlock`: a readers–writer lock around every lookup and access, with writer
 * preference; the owner switches tables holding it exclusively. Rust's
 * `RwLock<FlatView>`.
 *
 * Words: `kWriter` (control word kStrategyWords + 0): 0 free, 1 the owner holds or waits
 * for the write side. Each reader's read flag is its strategy word 0, on its own cache
 * line. (The read side is a count sharded per reader, as Linux's percpu-rwsem and
 * brlock do, instead of Rust's one shared count: a thread that dies holding a shared
 * count leaves a +1 nobody can attribute, and the owner would wait for it for ever. A
 * dead reader's flag is skipped and cleared; reader-scan.ts.)
 *
 * Reader, per access: `Atomics.store(flag, 1)`, then `Atomics.load(kWriter)`; if the
 * writer is there, it clears its flag, wakes the owner, sleeps on `kWriter` and retries
 * (writer preference: readers back off while the owner wants the lock). Holding the read
 * side it checks `kEpoch` (a plain load) and adopts `kCurrentTable` if it moved, accesses,
 * and clears its flag (waking the owner if it waits).
 * Owner, publish: store `kWriter = 1`, then wait until every live reader's flag is 0; then
 * store `kEpoch`, `kCurrentTable`, `kWriter = 0` and wake sleeping readers. Sequentially
 * consistent Atomics make the two orders (reader: flag, then writer word; owner: writer
 * word, then flags) a Dekker pair: either the owner sees the flag and waits, or the reader
 * sees the writer and backs off. So no reader is inside while the tables switch, and a
 * reader inside validated the epoch under its flag: once the switch is done no reader can
 * use the table (or memory) it retired, which are free at once.
 *
 * Bounded owner blocking: `publish` raises `kWriter` and spins up to `OWNER_SPIN_MS` for
 * the flags to drain (a running reader holds its flag for one access); if some reader is
 * still inside (descheduled, stalled, or dead and not yet marked offline), the switch
 * waits asynchronously on the owner's event loop (`ctx.wait`), so the owner keeps serving
 * MMIO exits and sees dead threads marked offline. A later publish meanwhile replaces the
 * pending table (never seen, so free at once). Readers queue behind `kWriter` meanwhile,
 * doing no accesses: that is the design's writer-preference blocking, and it keeps the
 * adoption bound. The writer's asynchronous wait is reported as owner-blocked time.
 *
 * MMIO exits: a reader clears its flag before it posts an exit (`beforeExit`) and takes
 * nothing after it (the access is over once the exit returns). A vCPU waiting for the
 * owner while holding the read side, with the owner waiting for the read side to drain,
 * would be a deadlock (the owner serves the exit); here the owner would only fall back
 * to waiting asynchronously, but every other reader would still queue behind `kWriter`
 * for the exit's round trip. The region the exit names is kept by the publisher
 * (`releasesAroundExits`). A reader holding its flag past the lease is evicted.
 */

import { wallClockMs } from '../../base/clock.js';
import {
  kCurrentTable,
  kEpoch,
  kStrategyWords,
  kWakeSeq,
  readerStrategyWord,
} from '../reader/layout.js';
import type { ReaderHandle } from '../reader/reader-api.js';
import { GuardedReader } from './guarded-reader.js';
import { spinFor, WaitLease, wordClearEverywhere } from './reader-scan.js';
import type { OwnerContext, StrategyDefinition, StrategyOwner } from './strategy-definition.js';

const kWriter = kStrategyWords;
const FLAG = 0;
/** A waiting reader re-checks at least this often (ms). */
const READER_WAIT_MS = 5;
/** How long `publish` spins for the flags to drain before it waits asynchronously (ms). */
const OWNER_SPIN_MS = 0.2;
/** The owner re-scans the flags at least this often while it waits asynchronously (ms). */
const OWNER_POLL_MS = 1;

export class RwlockReader extends GuardedReader {
  readonly strategy = 'rwlock';
  private readonly flag: number;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.flag = readerStrategyWord(handle.readerIndex, FLAG);
  }

  protected enter(): void {
    for (;;) {
      Atomics.store(this.words, this.flag, 1);
      if (Atomics.load(this.control, kWriter) === 0) break;
      this.leave();
      if (this.lostSlot || !this.slot.isOnline) this.fault();
      Atomics.wait(this.control, kWriter, 1, READER_WAIT_MS);
    }
    if (this.lostSlot || !this.slot.isOnline) {
      this.leave();
      this.fault();
    }
    if (this.control[kEpoch] !== this.epoch) {
      const id = this.control[kCurrentTable]!;
      if (!this.setTable(id)) {
        this.leave();
        this.unknownTable(id);
      }
    }
  }

  protected leave(): void {
    Atomics.store(this.words, this.flag, 0);
    // The owner waits for the flags to drain only while `kWriter` is raised.
    if (this.control[kWriter] !== 0) {
      Atomics.add(this.control, kWakeSeq, 1);
      Atomics.notify(this.control, kWakeSeq);
    }
  }

  protected override beforeExit(): void {
    this.leave();
  }
}

function rwlockOwner(ctx: OwnerContext): StrategyOwner {
  const { control } = ctx;
  const lease = new WaitLease(ctx);
  let pending: { tableId: number; epoch: number } | undefined;
  let switchedEpoch = 0;
  /** When the current wait went asynchronous (0: it did not). */
  let asyncSinceMs = 0;
  /** Tables given to `publish` that were replaced before being switched in. */
  const neverSeen = new Set<number>();
  const waiting: { epoch: number; fn: () => void }[] = [];
  const drained = () => wordClearEverywhere(ctx, FLAG, lease);
  const switchNow = () => {
    const next = pending!;
    pending = undefined;
    Atomics.store(control, kEpoch, next.epoch);
    Atomics.store(control, kCurrentTable, next.tableId);
    Atomics.store(control, kWriter, 0);
    Atomics.notify(control, kWriter);
    switchedEpoch = next.epoch;
    // The synchronous part is counted by the publisher (time inside `publish`).
    if (asyncSinceMs !== 0) ctx.ownerBlocked((wallClockMs() - asyncSinceMs) * 1000);
    asyncSinceMs = 0;
    for (let i = 0; i < waiting.length; ) {
      if (waiting[i]!.epoch <= switchedEpoch) waiting.splice(i, 1)[0]!.fn();
      else i++;
    }
  };
  const afterReaders = (epoch: number, fn: () => void) => {
    if (switchedEpoch >= epoch) fn();
    else waiting.push({ epoch, fn });
  };
  return {
    publish(tableId, epoch) {
      if (pending !== undefined) {
        // The write side is still waited for: this table replaces the pending one.
        neverSeen.add(pending.tableId);
        pending = { tableId, epoch };
        return;
      }
      pending = { tableId, epoch };
      Atomics.store(control, kWriter, 1);
      lease.start();
      if (spinFor(drained, OWNER_SPIN_MS)) {
        switchNow();
        return;
      }
      asyncSinceMs = wallClockMs();
      ctx.wait(drained, switchNow, OWNER_POLL_MS);
    },
    retireTable(tableId, epoch, free) {
      if (neverSeen.delete(tableId)) free();
      else afterReaders(epoch, free);
    },
    afterReaders,
  };
}

export const rwlock: StrategyDefinition = {
  name: 'rwlock',
  safe: true,
  description:
    "a readers-writer lock around every access, writer preference (Rust's RwLock<FlatView>)",
  releasesAroundExits: true,
  createOwner: rwlockOwner,
  createReader: (handle) => new RwlockReader(handle),
};
