/**
 * Strategy `hazard`: hazard pointers (Michael 2004; the idea behind arc-swap's debt
 * slots). Each reader has one hazard slot, its strategy word 0, on its own cache line.
 *
 * Reader, per access: `id = kCurrentTable` (plain load), `Atomics.store(slot, id)`, then
 * `Atomics.load(kCurrentTable)`: if it moved, try again with the new id; else the table is
 * protected. It adopts it unless it is the adopted table with the adopted epoch (tables
 * are reused once unprotected), accesses, and clears the slot (`Atomics.store(slot, 0)`).
 * Between two accesses it holds nothing, so its translation cache is only trusted after
 * the epoch check.
 * Owner: publishes with two stores (`kEpoch`, then the publishing `kCurrentTable`), and
 * reclaims a retired table as soon as no live reader's slot holds it (retired-tables.ts):
 * the reader stores its slot before it re-checks the current id, the owner stores the new
 * id before it scans the slots (Dekker, sequentially consistent Atomics), so either the
 * scan sees the slot or the reader's re-check sees the new id and it never uses the old
 * table. Guest memory a publish removed is reclaimed once every table published before it
 * is unheld. A stalled reader pins only the table in its slot (and memory removed while it
 * holds it): garbage stays bounded.
 *
 * The slot stays set across an MMIO exit: the owner never waits for it (it only polls),
 * so the exit is served, and the region the exit resolved stays alive with its table.
 * A dead reader's slot is skipped and cleared; one holding a table past the lease is
 * evicted (reader-scan.ts).
 */
import { countsForGrace, kCurrentTable, kEpoch, readerStrategyWord } from '../reader/layout.js';
import type { ReaderHandle } from '../reader/reader-api.js';
import { GuardedReader } from './guarded-reader.js';
import { RetiredTables } from './retired-tables.js';
import type { StrategyDefinition, StrategyOwner } from './strategy-definition.js';

const SLOT = 0;

export class HazardReader extends GuardedReader {
  readonly strategy = 'hazard';
  private readonly hazard: number;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.hazard = readerStrategyWord(handle.readerIndex, SLOT);
  }

  protected enter(): void {
    let id = this.control[kCurrentTable]!;
    for (;;) {
      Atomics.store(this.words, this.hazard, id);
      const now = Atomics.load(this.control, kCurrentTable);
      if (now === id) break;
      id = now;
    }
    if (this.lostSlot || !this.slot.isOnline) {
      this.leave();
      this.fault();
    }
    if (!this.adoptCurrent(id)) {
      this.leave();
      this.unknownTable(id);
    }
  }

  protected leave(): void {
    Atomics.store(this.words, this.hazard, 0);
  }
}

export const hazard: StrategyDefinition = {
  name: 'hazard',
  safe: true,
  description: 'hazard pointers: each access protects its table in a per-reader slot',
  createOwner(ctx): StrategyOwner {
    const { registry, readerWords } = ctx;
    const tables = new RetiredTables(ctx, (tableId, lease) => {
      for (let i = 0; i < registry.maxReaders; i++) {
        if (Atomics.load(readerWords, readerStrategyWord(i, SLOT)) !== tableId) continue;
        const state = registry.state(i);
        if (!countsForGrace(state) || lease.evictIfOverdue(i, state)) continue;
        return true;
      }
      return false;
    });
    return {
      publish(tableId, epoch) {
        Atomics.store(ctx.control, kEpoch, epoch);
        Atomics.store(ctx.control, kCurrentTable, tableId);
      },
      retireTable: (tableId, epoch, free) => tables.retire(tableId, epoch, free),
      afterReaders: (epoch, fn) => tables.afterReaders(epoch, fn),
    };
  },
  createReader: (handle) => new HazardReader(handle),
};
