/**
 * Strategy `rcu` (the default): quiescent-state-based reclamation, wait-free readers.
 *
 * Reader: no Atomics on the access path. Each access compares `kCurrentTable` (one plain
 * load, checked-reader.ts) with the table it adopted. When it moved, the reader does one
 * `Atomics.load` of it (which synchronises with the owner's publishing store), adopts that
 * table (dropping its TranslationCache) and announces the table's epoch in its slot
 * (qsbr-slot.ts). `quiescent()` does the same with the Atomics load, at slice ends. So a
 * reader adopts a new view at its next access: within one access, not a batch.
 *
 * How retired memory is known to be unused: a reader only touches tables and mappings
 * reachable from the table it adopted, and it announces epoch E only after it stopped
 * using every older table. So once every online reader has announced >= E, nothing
 * retired by the publish of E can be reached: tables go back to the pool and mappings
 * are reclaimed (grace.ts, reclaim.ts). A table cannot be reused while a reader holds it
 * (its retirement waits for that reader), so comparing table ids is enough. An MMIO exit
 * blocks inside an access, so the region it resolved stays alive until the exit returns.
 *
 * A `ReaderFault` (evicted, or a table its directory does not know) leaves the reader
 * offline; it must call `online()` again.
 *
 * Owner: `Atomics.store(kEpoch)`, then the publishing `Atomics.store(kCurrentTable)`.
 */
import { kCurrentTable, kEpoch } from '../reader/layout.js';
import type { ReaderHandle } from '../reader/reader-api.js';
import { evictedFault, readerOfflineFault, unknownEntryFault } from '../reader/reader-faults.js';
import { CheckedReader } from './checked-reader.js';
import { qsbrOwner } from './qsbr-owner.js';
import { QsbrSlot } from './qsbr-slot.js';
import type { StrategyDefinition } from './strategy-definition.js';

export class RcuReader extends CheckedReader {
  readonly strategy = 'rcu';
  protected readonly checkWord = kCurrentTable;
  private readonly slot: QsbrSlot;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
  }

  online(): void {
    this.slot.online();
    this.viewChanged();
  }

  offline(): void {
    this.slot.offline();
    this.dropTable();
    this.seen = 0;
  }

  /** A fault leaves the reader offline, so that no grace period waits for it. */
  private fault(error: Error): never {
    this.offline();
    throw error;
  }

  protected viewChanged(): void {
    if (!this.slot.isOnline) throw readerOfflineFault();
    const id = Atomics.load(this.control, kCurrentTable);
    if (id !== this.tableId && !this.setTable(id)) this.fault(unknownEntryFault('table', id));
    this.seen = this.tableId;
    if (this.epoch !== this.slot.announced && !this.slot.announce(this.epoch)) {
      this.fault(evictedFault());
    }
  }
}

export const rcu: StrategyDefinition = {
  name: 'rcu',
  safe: true,
  description: 'quiescent-state-based RCU: wait-free readers, one plain load per access (default)',
  createOwner: (ctx) =>
    qsbrOwner(ctx, (tableId, epoch) => {
      Atomics.store(ctx.control, kEpoch, epoch);
      Atomics.store(ctx.control, kCurrentTable, tableId);
    }),
  createReader: (handle) => new RcuReader(handle),
};
