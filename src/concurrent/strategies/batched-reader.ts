/**
 * Readers that look at the control word only at batch boundaries (`rcu`, `none`): every
 * access is a countdown plus the unsynchronized access; every `batchSize` accesses (and at
 * `quiescent()`) the subclass's `batchBoundary` adopts the newest table. The batch size
 * adapts so that one batch takes about `batchTargetUs` (never more than `batchLimit`
 * accesses), which bounds publish-to-adopt latency for slow access patterns too.
 *
 * This class decides nothing about safety: the subclass does.
 */
import { AddressSpaceError } from '../../core/errors.js';
import type { PublishedViewReader, Strategy, TranslationTarget } from '../reader-api.js';
import { type SharedReaderHandle, TableReader } from '../view-reader.js';

/** The smallest batch the adaptation goes down to. */
const MIN_BATCH = 16;

export abstract class BatchedReader extends TableReader implements PublishedViewReader {
  abstract override readonly strategy: Strategy;
  /** Accesses left before the next batch boundary. */
  protected budget = 0;
  private batchSize: number;
  private readonly batchLimit: number;
  private readonly batchTargetMs: number;
  private lastBoundaryMs = 0;

  constructor(handle: SharedReaderHandle) {
    super(handle);
    this.batchLimit = handle.batchLimit;
    this.batchSize = handle.batchLimit;
    this.batchTargetMs = handle.batchTargetUs / 1000;
  }

  abstract online(): void;
  abstract offline(): void;
  /** Adopts the newest table if there is one (and does the strategy's bookkeeping). */
  protected abstract batchBoundary(): void;

  quiescent(): void {
    this.batchBoundary();
  }

  /** Starts a new batch, resizing it towards the target duration. */
  protected startBatch(): void {
    const now = performance.now();
    const elapsed = now - this.lastBoundaryMs;
    this.lastBoundaryMs = now;
    if (elapsed > this.batchTargetMs) {
      this.batchSize = Math.max(MIN_BATCH, this.batchSize >> 1);
    } else if (elapsed < this.batchTargetMs / 4 && this.batchSize < this.batchLimit) {
      this.batchSize = Math.min(this.batchLimit, this.batchSize * 2);
    }
    this.budget = this.batchSize;
  }

  /** After going online: the first batch starts now. */
  protected restartBatchClock(): void {
    this.lastBoundaryMs = performance.now();
    this.budget = this.batchSize;
  }

  protected static offlineFault(): AddressSpaceError {
    return new AddressSpaceError('ReaderFault', 'Reader fault: the reader is offline');
  }

  readU8(gpa: number): number {
    if (--this.budget < 0) this.batchBoundary();
    return this.unsynchronizedReadU8(gpa);
  }
  readU16(gpa: number): number {
    if (--this.budget < 0) this.batchBoundary();
    return this.unsynchronizedReadU16(gpa);
  }
  readU32(gpa: number): number {
    if (--this.budget < 0) this.batchBoundary();
    return this.unsynchronizedReadU32(gpa);
  }
  readU64(gpa: number): bigint {
    if (--this.budget < 0) this.batchBoundary();
    return this.unsynchronizedReadU64(gpa);
  }
  writeU8(gpa: number, value: number): void {
    if (--this.budget < 0) this.batchBoundary();
    this.unsynchronizedWrite(gpa, 1, value);
  }
  writeU16(gpa: number, value: number): void {
    if (--this.budget < 0) this.batchBoundary();
    this.unsynchronizedWrite(gpa, 2, value);
  }
  writeU32(gpa: number, value: number): void {
    if (--this.budget < 0) this.batchBoundary();
    this.unsynchronizedWrite(gpa, 4, value);
  }
  writeU64(gpa: number, value: bigint): void {
    if (--this.budget < 0) this.batchBoundary();
    this.unsynchronizedWriteU64(gpa, value);
  }
  read(gpa: number, dst: Uint8Array): void {
    if (--this.budget < 0) this.batchBoundary();
    this.readBytes(gpa, dst);
  }
  write(gpa: number, src: Uint8Array): void {
    if (--this.budget < 0) this.batchBoundary();
    this.writeBytes(gpa, src);
  }
  translate(gpa: number, out: TranslationTarget): boolean {
    if (--this.budget < 0) this.batchBoundary();
    return this.unsynchronizedTranslate(gpa, out);
  }
}
