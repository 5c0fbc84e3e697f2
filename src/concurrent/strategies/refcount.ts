/**
 * Strategy `refcount`: `Arc<FlatView>` cloned per access. Every table has a reference
 * count; a reader increments the count of the table it uses for the length of one access.
 *
 * Words: the counts live in their own buffer (`handle.refcounts`), sharded per reader: a
 * row of `MAX_TABLES` Int32 counts per reader, indexed by table id, so a table's count is
 * the sum of its column. (One shared count per table, as `Arc` has, cannot survive a
 * reader thread that dies between its increment and its decrement: nobody could tell
 * whether its +1 landed. A dead or evicted reader's row is skipped; a reader zeroes its
 * row when it goes online, since it holds nothing then.) Each increment is still an
 * atomic read-modify-write, as `Arc::clone` is.
 *
 * Reader, per access: `id = Atomics.load(kCurrentTable)`; `Atomics.add(count[id], 1)`;
 * re-check `Atomics.load(kCurrentTable) === id`, else `Atomics.sub` and retry with the new
 * id. It adopts the table unless it is the adopted one with the adopted epoch (a table is
 * reused once its count reached 0), accesses, and `Atomics.sub(count[id], 1)`.
 * Owner: publishes with two stores (`kEpoch`, then the publishing `kCurrentTable`); a
 * retired table is reclaimed when its count is 0 (retired-tables.ts), and guest memory a
 * publish removed once every table published before it was. The increment comes before
 * the re-check and the publishing store before the owner's sum (Dekker, sequentially
 * consistent Atomics): either the sum sees the increment or the re-check sees the new
 * table and the reader backs out without touching the old one.
 *
 * The count is held across an MMIO exit (the owner never waits for it, it polls), so the
 * region the exit resolved stays alive with its table. A reader holding a count past the
 * lease is evicted (reader-scan.ts).
 */
import { AddressSpaceError } from '../../base/errors.js';
import { countsForGrace, kCurrentTable, kEpoch } from '../reader/layout.js';
import type { ReaderHandle } from '../reader/reader-api.js';
import { GuardedReader } from './guarded-reader.js';
import { RetiredTables } from './retired-tables.js';
import type { StrategyDefinition, StrategyOwner } from './strategy-definition.js';

/** Table ids a count row covers (the publisher's tables are pooled: ids stay small). */
export const MAX_TABLES = 1024;

export class RefcountReader extends GuardedReader {
  readonly strategy = 'refcount';
  private readonly counts: Int32Array;
  private readonly row: number;
  /** The count this reader holds (table id), 0 when none. */
  private held = 0;

  constructor(handle: ReaderHandle) {
    super(handle);
    const buffer = handle.refcounts;
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw AddressSpaceError.invalidArgument(
        'a refcount reader handle needs its refcounts buffer',
      );
    }
    this.counts = new Int32Array(buffer);
    this.row = handle.readerIndex * MAX_TABLES;
  }

  override online(): void {
    // Nothing is held now: a row left by a thread that died on this index is cleared
    // before the slot says online (the owner skips the row until then).
    this.counts.fill(0, this.row, this.row + MAX_TABLES);
    super.online();
  }

  protected enter(): void {
    let id = Atomics.load(this.control, kCurrentTable);
    for (;;) {
      Atomics.add(this.counts, this.row + id, 1);
      const now = Atomics.load(this.control, kCurrentTable);
      if (now === id) break;
      Atomics.sub(this.counts, this.row + id, 1);
      id = now;
    }
    this.held = id;
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
    if (this.held === 0) return;
    Atomics.sub(this.counts, this.row + this.held, 1);
    this.held = 0;
  }
}

export const refcount: StrategyDefinition = {
  name: 'refcount',
  safe: true,
  description: 'Arc<FlatView> cloned per access: a reference count per table, per access',
  createOwner(ctx): StrategyOwner {
    const { registry } = ctx;
    const buffer = new SharedArrayBuffer(registry.maxReaders * MAX_TABLES * 4);
    const counts = new Int32Array(buffer);
    const tables = new RetiredTables(ctx, (tableId, lease) => {
      for (let i = 0; i < registry.maxReaders; i++) {
        if (Atomics.load(counts, i * MAX_TABLES + tableId) === 0) continue;
        const state = registry.state(i);
        if (!countsForGrace(state) || lease.evictIfOverdue(i, state)) continue;
        return true;
      }
      return false;
    });
    return {
      publish(tableId, epoch) {
        if (tableId >= MAX_TABLES) {
          throw new AddressSpaceError(
            'UpdateTopology',
            `refcount: more than ${MAX_TABLES} view tables at once (readers hold too many)`,
          );
        }
        Atomics.store(ctx.control, kEpoch, epoch);
        Atomics.store(ctx.control, kCurrentTable, tableId);
      },
      retireTable: (tableId, epoch, free) => tables.retire(tableId, epoch, free),
      afterReaders: (epoch, fn) => tables.afterReaders(epoch, fn),
      handleFields: () => ({ refcounts: buffer }),
    };
  },
  createReader: (handle) => new RefcountReader(handle),
};
