/**
 * Strategy `rcu` (the default): quiescent-state-based reclamation, wait-free readers.
 *
 * Reader: no Atomics on the access path. At each batch boundary (at most `batchLimit`
 * accesses, about `batchTargetUs` of wall time) it does one `Atomics.load` of
 * `kCurrentTable`; if the owner published since, it adopts that table (dropping its
 * RegionCache) and announces the table's epoch in its slot (qsbr-slot.ts).
 *
 * How retired memory is known to be unused: a reader only touches tables and mappings
 * reachable from the table it adopted, and it announces epoch E only after it stopped
 * using every older table. So once every online reader has announced >= E, nothing
 * retired by the publish of E can be reached: tables go back to the pool and mappings
 * are reclaimed (grace.ts, reclaim.ts). An MMIO exit blocks inside an access, before the
 * next boundary, so the region it resolved stays alive until the exit returns.
 *
 * A `ReaderFault` (evicted, or a table its directory does not know) leaves the reader
 * offline; it must call `online()` again.
 *
 * Owner: `Atomics.store(kEpoch)`, then the publishing `Atomics.store(kCurrentTable)`.
 */
import { kCurrentTable, kEpoch } from '../layout.js';
import type { SharedReaderHandle } from '../view-reader.js';
import { BatchedReader } from './batched-reader.js';
import type { OwnerStrategy } from './owner-strategy.js';
import { QsbrSlot } from './qsbr-slot.js';

export class RcuReader extends BatchedReader {
  readonly strategy = 'rcu' as const;
  private readonly slot: QsbrSlot;

  constructor(handle: SharedReaderHandle) {
    super(handle);
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
  }

  online(): void {
    this.slot.online();
    this.adoptCurrent();
    this.restartBatchClock();
  }

  /** A fault leaves the reader offline, so that no grace period waits for it. */
  private fault(error: Error): never {
    this.offline();
    throw error;
  }

  offline(): void {
    this.slot.offline();
    this.dropTable();
    this.budget = 0;
  }

  protected batchBoundary(): void {
    if (!this.slot.isOnline) {
      this.budget = 0;
      throw BatchedReader.offlineFault();
    }
    this.adoptCurrent();
    this.startBatch();
  }

  private adoptCurrent(): void {
    const id = Atomics.load(this.control, kCurrentTable);
    if (id !== this.tableId && !this.setTable(id)) this.fault(BatchedReader.unknownTableFault(id));
    if (this.epoch !== this.slot.announced && !this.slot.announce(this.epoch)) {
      this.fault(QsbrSlot.evictedFault());
    }
  }
}

export const rcuOwner: OwnerStrategy = {
  grace: 'qsbr',
  publishTable(ctx, tableId, epoch) {
    Atomics.store(ctx.control, kEpoch, epoch);
    Atomics.store(ctx.control, kCurrentTable, tableId);
  },
  passQuiescentState() {},
};
