/**
 * Strategy `seqlock`: each access checks a sequence number, so a reader always uses the
 * newest table; reclamation still uses quiescent-state grace periods.
 *
 * Owner: `kSeq = 2*epoch - 1` (switching), the publishing store of `kCurrentTable`, then
 * `kSeq = 2*epoch`. Reader, per access: `Atomics.load(kSeq)`; if it moved, adopt the
 * current table (waiting out an odd value); do the access; for reads and translations,
 * `Atomics.load(kSeq)` again and retry if it moved (2 loads per read, 1 per write).
 *
 * How retired memory is known to be unused: a retry can re-read a table but cannot undo a
 * write that already landed, or a read of memory the owner was poisoning. So the sequence
 * check is only about freshness; safety comes from the same announcements as `rcu`: at
 * each batch boundary the reader announces the epoch of the table it uses (it only ever
 * moves to newer tables in between), and the owner reclaims after every online reader
 * announced the retiring epoch. An access that made an MMIO exit is not retried.
 */
import { kCurrentTable, kEpoch, kSeq } from '../reader/layout.js';
import type { TagVerifier, Verified } from '../reader/memory-tags.js';
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';
import { evictedFault, readerOfflineFault, unknownEntryFault } from '../reader/reader-faults.js';
import type { TranslationTarget } from '../reader/translation.js';
import { TableReader } from '../reader/view-reader.js';
import { qsbrOwner } from './qsbr-owner.js';
import { QsbrSlot } from './qsbr-slot.js';
import type { StrategyDefinition } from './strategy-definition.js';

/** A sequence value no publish produces: forces the next access to resynchronise. */
const NO_SEQ = -1;

export class SeqlockReader extends TableReader implements SharedViewReader {
  readonly strategy = 'seqlock';
  private readonly slot: QsbrSlot;
  private seq = NO_SEQ;
  private budget = 0;
  private readonly batchLimit: number;
  private exited = false;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
    this.batchLimit = handle.batchLimit;
  }

  online(): void {
    this.slot.online();
    this.seq = NO_SEQ;
    this.resync(Atomics.load(this.control, kSeq));
    this.announce();
  }

  offline(): void {
    this.slot.offline();
    this.dropTable();
    this.seq = NO_SEQ;
  }

  quiescent(): void {
    this.resync(Atomics.load(this.control, kSeq));
    this.announce();
  }

  protected override beforeExit(): void {
    this.exited = true;
  }

  /** Adopts the table of the newest even sequence. */
  private resync(seen: number): void {
    if (!this.slot.isOnline) throw readerOfflineFault();
    let seq = seen;
    while ((seq & 1) !== 0) seq = Atomics.load(this.control, kSeq);
    const id = Atomics.load(this.control, kCurrentTable);
    if (id !== this.tableId && !this.setTable(id)) {
      this.offline();
      throw unknownEntryFault('table', id);
    }
    this.seq = seq;
  }

  /** Batch boundary: tell grace periods which epoch this reader is at. */
  private announce(): void {
    this.budget = this.batchLimit;
    if (this.epoch === this.slot.announced || this.slot.announce(this.epoch)) return;
    this.offline();
    throw evictedFault();
  }

  private enter(): number {
    const seq = Atomics.load(this.control, kSeq);
    if (seq !== this.seq) this.resync(seq);
    this.exited = false;
    return this.seq;
  }

  /** Whether a read that began at `seq` may stand (no publish since, or it had side effects). */
  private stands(seq: number): boolean {
    if (Atomics.load(this.control, kSeq) !== seq && !this.exited) return false;
    if (--this.budget < 0) this.announce();
    return true;
  }

  private afterWrite(): void {
    if (--this.budget < 0) this.announce();
  }

  readU8(gpa: number): number {
    for (;;) {
      const seq = this.enter();
      const value = this.unsynchronizedReadU8(gpa);
      if (this.stands(seq)) return value;
    }
  }
  readU16(gpa: number): number {
    for (;;) {
      const seq = this.enter();
      const value = this.unsynchronizedReadU16(gpa);
      if (this.stands(seq)) return value;
    }
  }
  readU32(gpa: number): number {
    for (;;) {
      const seq = this.enter();
      const value = this.unsynchronizedReadU32(gpa);
      if (this.stands(seq)) return value;
    }
  }
  readU64(gpa: number): bigint {
    for (;;) {
      const seq = this.enter();
      const value = this.unsynchronizedReadU64(gpa);
      if (this.stands(seq)) return value;
    }
  }
  read(gpa: number, dst: Uint8Array): void {
    for (;;) {
      const seq = this.enter();
      this.readBytes(gpa, dst);
      if (this.stands(seq)) return;
    }
  }
  translate(gpa: number, out: TranslationTarget): boolean {
    for (;;) {
      const seq = this.enter();
      const found = this.unsynchronizedTranslate(gpa, out);
      if (this.stands(seq)) return found;
    }
  }
  writeU8(gpa: number, value: number): void {
    this.enter();
    this.unsynchronizedWriteU8(gpa, value);
    this.afterWrite();
  }
  writeU16(gpa: number, value: number): void {
    this.enter();
    this.unsynchronizedWriteU16(gpa, value);
    this.afterWrite();
  }
  writeU32(gpa: number, value: number): void {
    this.enter();
    this.unsynchronizedWriteU32(gpa, value);
    this.afterWrite();
  }
  writeU64(gpa: number, value: bigint): void {
    this.enter();
    this.unsynchronizedWriteU64(gpa, value);
    this.afterWrite();
  }
  write(gpa: number, src: Uint8Array): void {
    this.enter();
    this.writeBytes(gpa, src);
    this.afterWrite();
  }
  /**
   * Not retried: what the check found is about memory the reader's announced epoch kept
   * alive, whether or not a publish happened meanwhile (freshness is not its question).
   */
  verifiedAccess(gpa: number, size: number, isWrite: boolean, verifier: TagVerifier): Verified {
    this.enter();
    const result = this.unsynchronizedVerified(gpa, size, isWrite, verifier);
    this.afterWrite();
    return result;
  }
}

export const seqlock: StrategyDefinition = {
  name: 'seqlock',
  safe: true,
  description:
    'sequence check per access (always the newest table), reclamation by quiescent states',
  createOwner: (ctx) =>
    qsbrOwner(ctx, (tableId, epoch) => {
      Atomics.store(ctx.control, kSeq, 2 * epoch - 1);
      Atomics.store(ctx.control, kEpoch, epoch);
      Atomics.store(ctx.control, kCurrentTable, tableId);
      Atomics.store(ctx.control, kSeq, 2 * epoch);
    }),
  createReader: (handle) => new SeqlockReader(handle),
};
