/**
 * Readers that look for a new view on every access with one plain (non-atomic) load of a
 * control word, and synchronise only when it changed (`rcu`, `none`). The plain load is a
 * racy read of a SharedArrayBuffer: tear-free for an aligned Int32, it sees the owner's
 * store within about a cache-line transfer (V8 does not hoist typed-array loads out of
 * loops; a reads-only optimised loop was checked to see every change). It costs about a
 * nanosecond, and has no loop-carried store, which a per-access batch countdown had.
 *
 * The subclass decides what a change means (`viewChanged`) and which word it compares
 * (`current`). This class decides nothing about safety.
 */
import type { TagVerifier, Verified } from '../reader/memory-tags.js';
import type { SharedViewReader, Strategy } from '../reader/reader-api.js';
import type { TranslationTarget } from '../reader/translation.js';
import { TableReader } from '../reader/view-reader.js';

export abstract class CheckedReader extends TableReader implements SharedViewReader {
  abstract override readonly strategy: Strategy;
  /** The control word compared on every access, and the value it had at adoption. */
  protected abstract readonly checkWord: number;
  protected seen = 0;

  abstract online(): void;
  abstract offline(): void;
  /** The checked word moved (or the reader is offline): adopt, or fault. */
  protected abstract viewChanged(): void;

  quiescent(): void {
    this.viewChanged();
  }

  readU8(gpa: number): number {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    return this.unsynchronizedReadU8(gpa);
  }
  readU16(gpa: number): number {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    return this.unsynchronizedReadU16(gpa);
  }
  readU32(gpa: number): number {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    return this.unsynchronizedReadU32(gpa);
  }
  readU64(gpa: number): bigint {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    return this.unsynchronizedReadU64(gpa);
  }
  writeU8(gpa: number, value: number): void {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    this.unsynchronizedWriteU8(gpa, value);
  }
  writeU16(gpa: number, value: number): void {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    this.unsynchronizedWriteU16(gpa, value);
  }
  writeU32(gpa: number, value: number): void {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    this.unsynchronizedWriteU32(gpa, value);
  }
  writeU64(gpa: number, value: bigint): void {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    this.unsynchronizedWriteU64(gpa, value);
  }
  read(gpa: number, dst: Uint8Array): void {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    this.readBytes(gpa, dst);
  }
  write(gpa: number, src: Uint8Array): void {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    this.writeBytes(gpa, src);
  }
  translate(gpa: number, out: TranslationTarget): boolean {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    return this.unsynchronizedTranslate(gpa, out);
  }
  verifiedAccess(gpa: number, size: number, isWrite: boolean, verifier: TagVerifier): Verified {
    if (this.control[this.checkWord] !== this.seen) this.viewChanged();
    return this.unsynchronizedVerified(gpa, size, isWrite, verifier);
  }
}
