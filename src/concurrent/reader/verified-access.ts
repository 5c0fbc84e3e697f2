/**
 * The verified access path of a reader (`run --verify all`, SPEC 11): an access of 1, 2, 4
 * or 8 bytes at any alignment, served by the same TranslationCache as every other access
 * (first level, then the recent ranges, then a table lookup that fills them), whose words
 * are then checked by a `TagVerifier` (memory-tags.ts) against that translation: the
 * region id and the mapping offset of the range that served it. Nothing is looked up again
 * after the access, so what is checked is what was used.
 *
 * A span that runs past the end of its range continues in the adjacent range (SPEC 5:
 * RAM accesses may span adjacent pieces); both halves are translated before any word is
 * checked or written, so a write is still all or nothing with respect to translation.
 * An address that is not memory for this access (IO, romd off, a range with doorbells for
 * a write, read-only memory, any write while dirty logging is on) answers
 * `Verified.NotMemory` and touches nothing: the caller makes the ordinary access (the MMIO
 * exit, the ioeventfd match, the typed error, the dirty mark).
 *
 * Like the `unsynchronized*` accessors it never synchronises: each strategy wraps it as it
 * wraps the others (`verifiedAccess`). It allocates nothing.
 */
import { AddressSpaceError } from '../../base/errors.js';
import { AdoptedTable } from './adopted-table.js';
import { kFlagIoeventfd } from './layout.js';
import { type TagVerifier, Verified } from './memory-tags.js';
import { checkAccess, isReadableMemory, isWritableMemory } from './reader-access.js';
import { readerOfflineFault } from './reader-faults.js';

export abstract class VerifiedTable extends AdoptedTable {
  /**
   * Performs a verified access of `size` bytes at `gpa`; throws `RegionNotFound` for an
   * unmapped byte and `RegionType` when a span runs into something that is not memory.
   */
  protected unsynchronizedVerified(
    gpa: number,
    size: number,
    isWrite: boolean,
    verifier: TagVerifier,
  ): Verified {
    if (!this.resolve(gpa, size, isWrite)) return Verified.NotMemory;
    const delta = isWrite ? this.wDelta : this.rDelta;
    const high = isWrite ? this.wHigh : this.rHigh;
    const view = isWrite ? this.wView : this.rView;
    const region = isWrite ? this.wRegion : this.rRegion;
    const off = gpa - delta;
    // What served the access's first byte, for the owner's check against its history.
    verifier.servedRegion = region;
    verifier.servedHost = (isWrite ? this.wHost : this.rHost) + off;
    if (off + size <= high) return this.checkIn(view, off, size, region, isWrite, verifier);
    // A span into the adjacent range: translate the rest before touching anything.
    const firstLen = high - off;
    const next = gpa + firstLen;
    if (!this.resolve(next, size - firstLen, isWrite)) {
      throw AddressSpaceError.regionType('mismatch region type');
    }
    const nextDelta = isWrite ? this.wDelta : this.rDelta;
    if (next - nextDelta !== (isWrite ? this.wLow : this.rLow)) {
      // The byte after the range is in another range that does not start there.
      throw AddressSpaceError.regionNotFound(next);
    }
    const a = this.checkIn(view, off, firstLen, region, isWrite, verifier);
    if (a === Verified.Violation) return a;
    const nextView = isWrite ? this.wView : this.rView;
    const nextRegion = isWrite ? this.wRegion : this.rRegion;
    const b = this.checkIn(
      nextView,
      next - nextDelta,
      size - firstLen,
      nextRegion,
      isWrite,
      verifier,
    );
    return b === Verified.Ok ? a : b;
  }

  /** Checks (and for a write stores) the words over `[off, off + len)` of one mapping. */
  private checkIn(
    view: DataView,
    off: number,
    len: number,
    region: number,
    isWrite: boolean,
    verifier: TagVerifier,
  ): Verified {
    // Words that run past the mapping (a mapping whose size is not a multiple of 8).
    if (((off + len + 7) & ~7) > view.byteLength) return Verified.Unverified;
    return verifier.checkSpan(view, off, len, region, isWrite);
  }

  /**
   * Makes the first-level read (or write) cache hold the range of `gpa`, from the cache,
   * the recent ranges or the table; false when that range is not memory for this access.
   * The range holds `gpa` but may end before `gpa + size`.
   */
  private resolve(gpa: number, size: number, isWrite: boolean): boolean {
    // With dirty logging on, writes take the ordinary path, which marks their pages.
    if (isWrite && this.logDirty) return false;
    if (isWrite) {
      const at = gpa - this.wDelta;
      if (typeof gpa === 'number' && at >>> 0 === at && at >= this.wLow && at < this.wHigh) {
        return true;
      }
    } else {
      const off = gpa - this.rDelta;
      if (typeof gpa === 'number' && off >>> 0 === off && off >= this.rLow && off < this.rHigh) {
        return true;
      }
    }
    if (typeof gpa === 'number' && this.promote(gpa, 1, isWrite)) return true;
    checkAccess(gpa, size);
    if (this.table === undefined) throw readerOfflineFault();
    const row = this.findRow(gpa);
    if (row < 0) throw AddressSpaceError.regionNotFound(gpa);
    const flags = this.tTypeFlags[row]!;
    const memory = isWrite
      ? isWritableMemory(flags) && (flags & kFlagIoeventfd) === 0
      : isReadableMemory(flags);
    if (!memory) return false;
    this.cacheRow(row, isWrite);
    return true;
  }
}
