/**
 * Strategy `none`: no synchronisation at all. A benchmark baseline, UNSAFE.
 *
 * Reader: the same per-access plain load as `rcu` (checked-reader.ts), of `kEpoch`; when
 * it moved, it switches its lookups to the table in `kCurrentTable` (also a plain load)
 * but keeps its cached translations: it caches without checking, and announces nothing.
 * Owner: plain stores, and everything a publish retires is treated as unused at once:
 * tables are rewritten by the next publish and mappings are poisoned (check mode) while
 * readers may still use them. The reclamation tests show that this is caught. Its access
 * path costs what rcu's does, so `ratioToNone` measures synchronisation alone.
 */
import { kCurrentTable, kEpoch } from '../reader/layout.js';
import { readerOfflineFault, unknownEntryFault } from '../reader/reader-faults.js';
import { CheckedReader } from './checked-reader.js';
import type { StrategyDefinition } from './strategy-definition.js';

export class NoneReader extends CheckedReader {
  readonly strategy = 'none';
  protected readonly checkWord = kEpoch;
  private isOnline = false;

  online(): void {
    this.isOnline = true;
    this.dropTable();
    this.viewChanged();
  }

  offline(): void {
    this.isOnline = false;
    this.dropTable();
    this.seen = 0;
  }

  protected viewChanged(): void {
    if (!this.isOnline) throw readerOfflineFault();
    const epoch = this.control[kEpoch]!;
    const id = this.control[kCurrentTable]!;
    if (!this.setTable(id, true)) {
      this.offline();
      throw unknownEntryFault('table', id);
    }
    this.seen = epoch;
  }
}

export const none: StrategyDefinition = {
  name: 'none',
  safe: false,
  description: 'no synchronisation (UNSAFE): the benchmark baseline',
  releasesAroundExits: true,
  createOwner: (ctx) => ({
    publish(tableId, epoch) {
      ctx.control[kEpoch] = epoch;
      ctx.control[kCurrentTable] = tableId;
    },
    retireTable: (_tableId, _epoch, free) => free(),
    afterReaders: (_epoch, fn) => fn(),
  }),
  createReader: (handle) => new NoneReader(handle),
};
