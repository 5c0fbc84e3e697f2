/**
 * Readers that protect every access on its own (`rwlock`, `leftright`, `hazard`,
 * `refcount`): `enter()` takes the strategy's protection and makes sure the adopted table
 * is the current one, the access runs, `leave()` drops the protection, also when the
 * access throws. The subclass decides what enter and leave store (a read flag, a read
 * indicator, a hazard slot, a count) and where they live.
 *
 * What this class provides: online/offline through the reader's slot (so the owner knows
 * a live reader from a dead or evicted one), the eviction check (a plain load of the
 * reader's own slot word, on the cache line its guard words live on anyway), and
 * `adoptCurrent(id)`: tables are reused, so a table with the adopted id is the adopted
 * table only if its header still carries the adopted epoch. A `ReaderFault` leaves the
 * reader offline with nothing held.
 *
 * It decides nothing about when memory may be reused: that is the strategy's owner side.
 */
import { kReaderEvicted, kReaderOffline, kTableEpoch, readerEpochWord } from '../reader/layout.js';
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';
import { evictedFault, readerOfflineFault, unknownEntryFault } from '../reader/reader-faults.js';
import type { TranslationTarget } from '../reader/translation.js';
import { TableReader } from '../reader/view-reader.js';
import { QsbrSlot } from './qsbr-slot.js';

export abstract class GuardedReader extends TableReader implements SharedViewReader {
  protected readonly slot: QsbrSlot;
  /** The reader slots as Int32 words (its own strategy words included). */
  protected readonly words: Int32Array;
  private readonly stateWord: number;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
    this.words = new Int32Array(handle.readers);
    this.stateWord = readerEpochWord(handle.readerIndex);
  }

  /** Takes the protection and adopts the current table; throws a ReaderFault holding nothing. */
  protected abstract enter(): void;
  /** Drops the protection (idempotent). */
  protected abstract leave(): void;

  online(): void {
    this.slot.online();
  }

  offline(): void {
    this.slot.offline();
    this.dropTable();
  }

  /** A quiescent point: one empty protected section adopts the newest table. */
  quiescent(): void {
    this.enter();
    this.leave();
  }

  /** The owner marked this reader offline or evicted it: it may no longer touch anything. */
  protected get lostSlot(): boolean {
    const state = this.words[this.stateWord]!;
    return state === kReaderEvicted || state === kReaderOffline;
  }

  /** Faults for a reader that is offline or was evicted (after the caller dropped its guard). */
  protected fault(): never {
    const evicted = this.slot.isOnline;
    this.offline();
    throw evicted ? evictedFault() : readerOfflineFault();
  }

  /**
   * Makes table `id` (read as current under the protection) the adopted table unless it
   * already is, with the same epoch. Returns false (nothing changed) when the directory
   * does not know it: the caller drops its guard and calls `unknownTable`.
   */
  protected adoptCurrent(id: number): boolean {
    if (id === this.tableId && this.table!.header[kTableEpoch] === this.epoch) return true;
    return this.setTable(id);
  }

  protected unknownTable(id: number): never {
    this.offline();
    throw unknownEntryFault('table', id);
  }

  readU8(gpa: number): number {
    this.enter();
    try {
      return this.unsynchronizedReadU8(gpa);
    } finally {
      this.leave();
    }
  }
  readU16(gpa: number): number {
    this.enter();
    try {
      return this.unsynchronizedReadU16(gpa);
    } finally {
      this.leave();
    }
  }
  readU32(gpa: number): number {
    this.enter();
    try {
      return this.unsynchronizedReadU32(gpa);
    } finally {
      this.leave();
    }
  }
  readU64(gpa: number): bigint {
    this.enter();
    try {
      return this.unsynchronizedReadU64(gpa);
    } finally {
      this.leave();
    }
  }
  read(gpa: number, dst: Uint8Array): void {
    this.enter();
    try {
      this.readBytes(gpa, dst);
    } finally {
      this.leave();
    }
  }
  translate(gpa: number, out: TranslationTarget): boolean {
    this.enter();
    try {
      return this.unsynchronizedTranslate(gpa, out);
    } finally {
      this.leave();
    }
  }
  writeU8(gpa: number, value: number): void {
    this.enter();
    try {
      this.unsynchronizedWriteU8(gpa, value);
    } finally {
      this.leave();
    }
  }
  writeU16(gpa: number, value: number): void {
    this.enter();
    try {
      this.unsynchronizedWriteU16(gpa, value);
    } finally {
      this.leave();
    }
  }
  writeU32(gpa: number, value: number): void {
    this.enter();
    try {
      this.unsynchronizedWriteU32(gpa, value);
    } finally {
      this.leave();
    }
  }
  writeU64(gpa: number, value: bigint): void {
    this.enter();
    try {
      this.unsynchronizedWriteU64(gpa, value);
    } finally {
      this.leave();
    }
  }
  write(gpa: number, src: Uint8Array): void {
    this.enter();
    try {
      this.writeBytes(gpa, src);
    } finally {
      this.leave();
    }
  }
}
