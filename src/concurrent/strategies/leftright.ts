/**
 * Strategy `leftright`: Left-Right (Ramalhete & Correia 2015). Two copies of the view
 * table; readers never wait, the writer waits for readers to drain.
 *
 * Words: the left/right word is `kCurrentTable` (which copy readers use, with `kEpoch`
 * beside it); `kVersion` (control word kStrategyWords + 0) is the version index, 0 or 1,
 * that selects the read indicator readers announce through. The read indicators are per
 * reader: its strategy words 0 and 1, one per version, on its own cache line (one shared
 * counter per version would keep a dead reader's arrival for ever; a dead reader's words
 * are skipped and cleared, reader-scan.ts).
 *
 * Reader, per access: `vi = Atomics.load(kVersion)`; arrive: `Atomics.store(ind[vi], 1)`;
 * `id = Atomics.load(kCurrentTable)`; adopt it unless it is the adopted table with the
 * adopted epoch (copies are rewritten in place); access; depart: `Atomics.store(ind[vi],
 * 0)`. No loop, no wait: wait-free.
 * Owner, publish of a table written into the copy no reader uses: store `kEpoch` and the
 * left/right word (new readers go to the new copy); wait until every live reader's
 * indicator of the other version is 0; flip `kVersion`; wait until the indicators of the
 * old version are 0. Now no reader can be on the old copy: a reader that arrived before
 * the left/right store is counted in an indicator the owner waited for (arrive, then read
 * left/right; the owner stores left/right, then reads the indicators: Dekker with
 * sequentially consistent Atomics), and one that arrives later reads the new copy. The old
 * copy is then given back (the publisher writes the next view into it: "bring the second
 * copy up to date") and the guest memory the publish removed is reclaimed. The two waits
 * with the version flip are what keep a stream of arriving readers from starving the
 * writer: after the flip, new arrivals go to the other indicator.
 *
 * Bounded owner blocking: `publish` flips at once, then spins up to `OWNER_SPIN_MS` for
 * the two drains (a running reader holds an indicator for one access). If a reader is
 * still inside (descheduled, stalled, or dead and not yet marked offline), the drains
 * finish asynchronously on the owner's event loop (`ctx.wait`, which lets the pool mark a
 * dead thread offline and lets the owner serve MMIO exits), and the next publish, if it
 * comes first, blocks until they are over (spinning briefly, then sleeping on
 * `kWakeSeq`, which a departing reader bumps while `kOwnerWaiting` is raised, so that the
 * owner leaves the core to the readers it waits for): the blocking writer of the design, and
 * the wait the stalled-reader scenario shows. The spin evicts a reader that keeps an
 * indicator past the lease, so it is bounded. The publisher writes a view only into a
 * copy given back after its drains (a third table is allocated when a publish comes
 * before they ended), so a copy is never written while a reader may be on it. A reader departs before an MMIO exit
 * (`beforeExit`): the writer would otherwise spin for the exit's round trip, which the
 * owner itself serves (a deadlock until the lease); the
 * region it names is kept by the publisher (`releasesAroundExits`). A reader that keeps
 * an indicator past the lease is evicted; a dead one is skipped (reader-scan.ts).
 */
import {
  kCurrentTable,
  kEpoch,
  kOwnerWaiting,
  kStrategyWords,
  kWakeSeq,
  readerStrategyWord,
} from '../reader/layout.js';
import type { ReaderHandle } from '../reader/reader-api.js';
import { GuardedReader } from './guarded-reader.js';
import { blockUntil, spinFor, WaitLease, wordClearEverywhere } from './reader-scan.js';
import type { OwnerContext, StrategyDefinition, StrategyOwner } from './strategy-definition.js';

const kVersion = kStrategyWords;
/** How long `publish` spins for the two drains before it lets them finish asynchronously (ms). */
const OWNER_SPIN_MS = 0.2;
/** The owner re-scans the indicators at least this often while it waits asynchronously (ms). */
const OWNER_POLL_MS = 1;

export class LeftRightReader extends GuardedReader {
  readonly strategy = 'leftright';
  private readonly indicator0: number;
  /** The indicator word this reader arrived at (0: none). */
  private arrived = -1;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.indicator0 = readerStrategyWord(handle.readerIndex, 0);
  }

  protected enter(): void {
    const word = this.indicator0 + Atomics.load(this.control, kVersion);
    Atomics.store(this.words, word, 1);
    this.arrived = word;
    if (this.lostSlot || !this.slot.isOnline) {
      this.leave();
      this.fault();
    }
    const id = Atomics.load(this.control, kCurrentTable);
    if (!this.adoptCurrent(id)) {
      this.leave();
      this.unknownTable(id);
    }
  }

  protected leave(): void {
    if (this.arrived < 0) return;
    Atomics.store(this.words, this.arrived, 0);
    this.arrived = -1;
    if (this.control[kOwnerWaiting] !== 0) {
      Atomics.add(this.control, kWakeSeq, 1);
      Atomics.notify(this.control, kWakeSeq);
    }
  }

  protected override beforeExit(): void {
    this.leave();
  }
}

function leftRightOwner(ctx: OwnerContext): StrategyOwner {
  const { control } = ctx;
  const lease = new WaitLease(ctx);
  /** Where the current write is: done, waiting for `next` to drain, or for `previous`. */
  let phase: 'done' | 'drain-next' | 'drain-previous' = 'done';
  let previous = 0;
  let next = 1;
  let writingEpoch = 0;
  let drainedEpoch = 0;
  /** Counts writes, so that an asynchronous wait knows when its write is over. */
  let writes = 0;
  const waiting: { epoch: number; fn: () => void }[] = [];

  const afterReaders = (epoch: number, fn: () => void) => {
    if (drainedEpoch >= epoch) fn();
    else waiting.push({ epoch, fn });
  };
  /** Moves the write on as far as the indicators allow; true once it is done. */
  const step = (): boolean => {
    if (phase === 'drain-next') {
      if (!wordClearEverywhere(ctx, next, lease)) return false;
      Atomics.store(control, kVersion, next);
      lease.start();
      phase = 'drain-previous';
    }
    if (phase === 'drain-previous') {
      if (!wordClearEverywhere(ctx, previous, lease)) return false;
      phase = 'done';
      drainedEpoch = writingEpoch;
      for (let i = 0; i < waiting.length; ) {
        if (waiting[i]!.epoch <= drainedEpoch) waiting.splice(i, 1)[0]!.fn();
        else i++;
      }
    }
    return true;
  };
  return {
    publish(tableId, epoch) {
      // The writer blocks: the previous write's drains end before this one flips (bounded
      // by the lease, which evicts a reader that holds an indicator that long).
      if (phase !== 'done') blockUntil(control, step, OWNER_SPIN_MS, OWNER_POLL_MS);
      writingEpoch = epoch;
      previous = Atomics.load(control, kVersion);
      next = 1 - previous;
      phase = 'drain-next';
      lease.start();
      Atomics.store(control, kEpoch, epoch);
      Atomics.store(control, kCurrentTable, tableId);
      if (spinFor(step, OWNER_SPIN_MS)) return;
      const write = ++writes;
      ctx.wait(
        () => write !== writes || step(),
        () => {},
        OWNER_POLL_MS,
      );
    },
    retireTable: (_tableId, epoch, free) => afterReaders(epoch, free),
    afterReaders,
  };
}

export const leftright: StrategyDefinition = {
  name: 'leftright',
  safe: true,
  description: 'Left-Right: two table copies, wait-free readers, the writer waits for two drains',
  releasesAroundExits: true,
  createOwner: leftRightOwner,
  createReader: (handle) => new LeftRightReader(handle),
};
