/**
 * Strategy `none`: no synchronisation at all. A benchmark baseline, UNSAFE.
 *
 * Reader: at each batch boundary it reads `kCurrentTable` with a plain load and adopts
 * that table if it changed; it announces nothing. Owner: a plain store, and everything a
 * publish retires is treated as unused at once: tables are rewritten by the next publish
 * and mappings are poisoned (check mode) while readers may still use them. The
 * reclamation tests show that this is caught.
 */
import { kCurrentTable, kEpoch } from '../layout.js';
import { BatchedReader } from './batched-reader.js';
import type { OwnerStrategy } from './owner-strategy.js';

export class NoneReader extends BatchedReader {
  readonly strategy = 'none' as const;
  private isOnline = false;

  online(): void {
    this.isOnline = true;
    this.adoptCurrent();
    this.restartBatchClock();
  }

  offline(): void {
    this.isOnline = false;
    this.dropTable();
    this.budget = 0;
  }

  protected batchBoundary(): void {
    if (!this.isOnline) {
      this.budget = 0;
      throw BatchedReader.offlineFault();
    }
    this.adoptCurrent();
    this.startBatch();
  }

  private adoptCurrent(): void {
    // Tables are reused at once, so an unchanged id may hold a newer view: compare epochs.
    if (this.control[kEpoch] !== this.epoch || this.tableId === 0) {
      const id = this.control[kCurrentTable]!;
      if (!this.setTable(id)) {
        this.offline();
        throw BatchedReader.unknownTableFault(id);
      }
    }
  }
}

export const noneOwner: OwnerStrategy = {
  grace: 'immediate',
  publishTable(ctx, tableId, epoch) {
    ctx.control[kEpoch] = epoch;
    ctx.control[kCurrentTable] = tableId;
  },
  passQuiescentState() {},
};
