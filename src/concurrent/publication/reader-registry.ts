/**
 * Owner side of the reader slots (layout.ts): who may read, who is online, and which
 * epoch each online reader has announced.
 *
 * Index allocation: `allocate()` hands out the lowest free index below `maxReaders` and
 * marks its slot offline; `release(index)` marks it offline and frees the index. A slot
 * is written by its reader (online, adopted epoch) and by the owner only to take a reader
 * out of grace-period accounting (offline when the pool saw the thread die, evicted when
 * its lease ran out); then it also clears the reader's strategy words (layout.ts). Eviction is a compareExchange against the value the owner saw, so
 * it cannot overwrite a newer announcement.
 *
 * This module reads and marks slots; it never waits (grace.ts does) and never publishes.
 */
import { AddressSpaceError } from '../../base/errors.js';
import {
  kReaderEvicted,
  kReaderOffline,
  READER_STRATEGY_WORDS,
  readerAdoptWord,
  readerEpochWord,
  readerSlotsBytes,
  readerStrategyWord,
} from '../reader/layout.js';

export class ReaderRegistry {
  readonly buffer: SharedArrayBuffer;
  readonly maxReaders: number;
  private readonly words: Int32Array;
  private readonly times: Float64Array;
  private readonly allocated: boolean[];
  private evictions = 0;

  constructor(maxReaders: number) {
    this.maxReaders = maxReaders;
    this.buffer = new SharedArrayBuffer(readerSlotsBytes(maxReaders));
    this.words = new Int32Array(this.buffer);
    this.times = new Float64Array(this.buffer);
    this.allocated = new Array<boolean>(maxReaders).fill(false);
    for (let i = 0; i < maxReaders; i++)
      Atomics.store(this.words, readerEpochWord(i), kReaderOffline);
  }

  /** Reserves a reader index (its slot starts offline). Throws `InvalidArgument` when all are taken. */
  allocate(): number {
    const index = this.allocated.indexOf(false);
    if (index < 0) {
      throw AddressSpaceError.invalidArgument(
        `all ${this.maxReaders} reader slots are allocated (raise maxReaders)`,
      );
    }
    this.allocated[index] = true;
    Atomics.store(this.words, readerEpochWord(index), kReaderOffline);
    return index;
  }

  /** Marks the slot offline and frees the index for `allocate()`. */
  release(index: number): void {
    this.check(index);
    Atomics.store(this.words, readerEpochWord(index), kReaderOffline);
    this.clearStrategyWords(index);
    this.allocated[index] = false;
  }

  /** Takes a reader out of grace-period accounting (its thread exited or was terminated). */
  markOffline(index: number): void {
    this.check(index);
    Atomics.store(this.words, readerEpochWord(index), kReaderOffline);
    this.clearStrategyWords(index);
  }

  /**
   * A reader that is gone holds nothing: its strategy words (flags, hazard slots, read
   * indicators) are cleared after its slot reads offline, so the owner's side of any
   * strategy discounts it. Only for a thread that is known dead (or released): a live
   * reader's words are its own.
   */
  private clearStrategyWords(index: number): void {
    for (let k = 0; k < READER_STRATEGY_WORDS; k++) {
      Atomics.store(this.words, readerStrategyWord(index, k), 0);
    }
  }

  isAllocated(index: number): boolean {
    return this.allocated[index] === true;
  }

  /** The raw slot value: an epoch, or one of the kReader* states (layout.ts `countsForGrace`). */
  state(index: number): number {
    return Atomics.load(this.words, readerEpochWord(index));
  }

  /** Wall-clock ms at which the reader stored its last adoption. */
  adoptTimeMs(index: number): number {
    return this.times[readerAdoptWord(index)]!;
  }

  /**
   * Evicts a reader that stalled below a grace period's target: succeeds only if its slot
   * still holds `observed`. The reader faults when it next adopts a table.
   */
  evict(index: number, observed: number): boolean {
    const ok =
      Atomics.compareExchange(this.words, readerEpochWord(index), observed, kReaderEvicted) ===
      observed;
    if (ok) this.evictions += 1;
    return ok;
  }

  get evictedCount(): number {
    return this.evictions;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxReaders) {
      throw AddressSpaceError.invalidArgument(`reader index ${index} is out of range`);
    }
  }
}
