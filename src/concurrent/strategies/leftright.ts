/**
 * Strategy `leftright`: Left-Right (Ramalhete & Correia 2015). Two copies of the view
 * table; readers never wait, the writer waits for readers to drain.
 *
 * Words: the left/right word is `kCurrentTable` (which copy readers use, with `kEpoch`
 * beside it); `kVersion` (control word kStrategyWords + 0) is the version index, 0 or 1,
 * that selects the read indicator readers announce through. The read indicators are per
 * reader: its strategy words 0 and 1, one per version, on its own cache line (one shared
 * counter per version would keep a dead reader's arrival for ever).
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
 * The writer's waits are asynchronous (`ctx.wait`, never spinning on the owner's event
 * loop, so MMIO exits are served and dead threads are seen): a publish made while the
 * previous one still drains waits as the pending table (the next publish replaces a
 * pending one, which no reader saw and is free at once), so at most three tables exist
 * and readers keep reading the current copy meanwhile. A reader departs before an MMIO
 * exit (`beforeExit`): the writer would otherwise wait for the exit's round trip; the
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
import { WaitLease, wordClearEverywhere } from './reader-scan.js';
import type { OwnerContext, StrategyDefinition, StrategyOwner } from './strategy-definition.js';

const kVersion = kStrategyWords;
/** The owner re-scans the indicators at least this often while it waits (ms). */
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
  let draining = false;
  let pending: { tableId: number; epoch: number } | undefined;
  let drainedEpoch = 0;
  const neverSeen = new Set<number>();
  const waiting: { epoch: number; fn: () => void }[] = [];

  const afterReaders = (epoch: number, fn: () => void) => {
    if (drainedEpoch >= epoch) fn();
    else waiting.push({ epoch, fn });
  };
  const drainedTo = (epoch: number) => {
    drainedEpoch = epoch;
    draining = false;
    for (let i = 0; i < waiting.length; ) {
      if (waiting[i]!.epoch <= drainedEpoch) waiting.splice(i, 1)[0]!.fn();
      else i++;
    }
    if (pending !== undefined) {
      const next = pending;
      pending = undefined;
      flip(next.tableId, next.epoch);
    }
  };
  const flip = (tableId: number, epoch: number) => {
    draining = true;
    Atomics.store(control, kEpoch, epoch);
    Atomics.store(control, kCurrentTable, tableId);
    const previous = Atomics.load(control, kVersion);
    const next = 1 - previous;
    lease.start();
    ctx.wait(
      () => wordClearEverywhere(ctx, next, lease),
      () => {
        Atomics.store(control, kVersion, next);
        lease.start();
        ctx.wait(
          () => wordClearEverywhere(ctx, previous, lease),
          () => drainedTo(epoch),
          OWNER_POLL_MS,
        );
      },
      OWNER_POLL_MS,
    );
  };
  return {
    publish(tableId, epoch) {
      if (!draining) {
        flip(tableId, epoch);
        return;
      }
      if (pending !== undefined) neverSeen.add(pending.tableId);
      pending = { tableId, epoch };
    },
    retireTable(tableId, epoch, free) {
      if (neverSeen.delete(tableId)) free();
      else afterReaders(epoch, free);
    },
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
