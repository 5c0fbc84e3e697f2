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
 * a write, read-only memory, any write while dirty logging is on) gets the ordinary access
 * instead, in the same critical section (the MMIO exit, the ioeventfd match, the typed
 * error, the dirty mark; a write stores the verifier's `fallbackBytes`) and answers
 * `Verified.NotMemory`.
 *
 * Like the `unsynchronized*` accessors it never synchronises: each strategy wraps it as it
 * wraps the others (`verifiedAccess`). It allocates nothing.
 *
 * Every access that looks something up in the adopted table (this path's misses, and the
 * ordinary slow paths, MMIO exits and ioeventfd matches of view-reader.ts) ends its use of
 * the table with `checkTableAge` (table-age.ts): a table reclaimed under the access is
 * counted, with the access's address and generation, for the caller to report.
 */
import { AddressSpaceError } from '../../base/errors.js';
import { AdoptedTable } from './adopted-table.js';
import { kFlagIoeventfd, kTableEpoch } from './layout.js';
import { type TagVerifier, Verified } from './memory-tags.js';
import { checkAccess, isReadableMemory, isWritableMemory } from './reader-access.js';
import { readerOfflineFault } from './reader-faults.js';
import { RECLAIMED_TABLE_EPOCH } from './table-age.js';

export abstract class VerifiedTable extends AdoptedTable {
  private reclaimedUses = 0;
  private reclaimedGpa = -1;
  private reclaimedGeneration = 0;
  private reclaimedEpochFound = 0;

  /**
   * Accesses that found the table they looked up in reclaimed (or reused) by the owner
   * before they were done with it (never reset; compare two readings). Never moves under
   * a strategy whose grace periods hold.
   */
  get reclaimedTableUses(): number {
    return this.reclaimedUses;
  }

  /**
   * The last such access: its address, the generation of the table it had adopted, and
   * the epoch word it found there (0: stamped reclaimed, else the epoch of a later view).
   */
  get lastReclaimedUse(): { gpa: number; generation: number; epochFound: number } {
    return {
      gpa: this.reclaimedGpa,
      generation: this.reclaimedGeneration,
      epochFound: this.reclaimedEpochFound,
    };
  }

  /**
   * Ends an access's use of the adopted table (before an MMIO exit, after a lookup, a
   * match or a copy): counts it when the table no longer carries the epoch it was adopted
   * with (table-age.ts). One load and a compare; nothing is thrown, the access stands.
   */
  protected checkTableAge(gpa: number): void {
    const table = this.table;
    if (table === undefined) return;
    const found = table.header[kTableEpoch]!;
    if (found === this.epoch && found !== RECLAIMED_TABLE_EPOCH) return;
    this.reclaimedUses++;
    this.reclaimedGpa = gpa;
    this.reclaimedGeneration = this.adoptedGeneration;
    this.reclaimedEpochFound = found;
  }

  /** The adopted table's row of `gpa`; `RegionNotFound` (after the age check) when none. */
  protected override rowOrThrow(gpa: number): number {
    if (this.table === undefined) throw readerOfflineFault();
    const row = this.findRow(gpa);
    if (row < 0) {
      this.checkTableAge(gpa);
      throw AddressSpaceError.regionNotFound(gpa);
    }
    return row;
  }

  /** The ordinary span accesses (view-reader.ts): memory, an MMIO exit, an ioeventfd. */
  protected abstract readBytes(gpa: number, dst: Uint8Array): void;
  protected abstract writeBytes(gpa: number, src: Uint8Array): void;

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
    if (!this.resolve(gpa, size, isWrite)) {
      // Not memory for this access: the ordinary access, in the same critical section (a
      // second, separately synchronised access could meet another view, and store
      // untagged bytes into memory that became RAM meanwhile).
      const bytes = verifier.fallbackBytes(size);
      if (isWrite && !verifier.deviceWrites) {
        // A RAM access: its random data is not sent to a device (a ROM device below a
        // switched-off window would take it as commands).
        throw AddressSpaceError.regionType('mismatch region type');
      }
      if (isWrite) this.writeBytes(gpa, bytes);
      else this.readBytes(gpa, bytes);
      return Verified.NotMemory;
    }
    const delta = isWrite ? this.wDelta : this.rDelta;
    const high = isWrite ? this.wHigh : this.rHigh;
    const view = isWrite ? this.wView : this.rView;
    const region = isWrite ? this.wRegion : this.rRegion;
    const off = gpa - delta;
    // What served the access's first byte, for the owner's check against its history.
    verifier.servedRegion = region;
    verifier.servedHost = (isWrite ? this.wHost : this.rHost) + off;
    if (off + size <= high) {
      if (!fitsWords(view, off, size)) return Verified.Unverified;
      return verifier.checkSpan(view, off, size, region, isWrite);
    }
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
    const nextView = isWrite ? this.wView : this.rView;
    const nextRegion = isWrite ? this.wRegion : this.rRegion;
    const nextOff = next - nextDelta;
    const restLen = size - firstLen;
    if (!fitsWords(view, off, firstLen) || !fitsWords(nextView, nextOff, restLen)) {
      return Verified.Unverified;
    }
    // Both halves checked before either is written: a write is all or nothing.
    const a = verifier.check(view, off, firstLen, region);
    if (a === Verified.Violation) return a;
    const b = verifier.check(nextView, nextOff, restLen, nextRegion);
    if (b === Verified.Violation) return b;
    if (isWrite) {
      verifier.beginWrite();
      verifier.store(view, off, firstLen, region);
      verifier.store(nextView, nextOff, restLen, nextRegion);
    }
    return a === Verified.Ok ? b : a;
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
    const row = this.rowOrThrow(gpa);
    const flags = this.tTypeFlags[row]!;
    const memory = isWrite
      ? isWritableMemory(flags) && (flags & kFlagIoeventfd) === 0
      : isReadableMemory(flags);
    // Not memory: the ordinary access that follows looks up again, and checks then.
    if (!memory) return false;
    this.cacheRow(row, isWrite);
    this.checkTableAge(gpa);
    return true;
  }
}

/** Whether the words over `[off, off + len)` lie inside the mapping (a size not a multiple of 8). */
function fitsWords(view: DataView, off: number, len: number): boolean {
  return Math.ceil((off + len) / 8) * 8 <= view.byteLength;
}
