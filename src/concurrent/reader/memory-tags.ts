/**
 * Self-checking guest memory (`run --verify all`, SPEC 11): the tag every 8-byte word of
 * tagged RAM carries, and the `TagVerifier` a reader thread checks each access with.
 *
 * Encoding, per 8-byte word of a mapping (word index `i` = mapping offset / 8), two
 * little-endian uint32 halves:
 *
 * | half        | bits   | meaning                                                       |
 * |-------------|--------|---------------------------------------------------------------|
 * | lo (0..3)   | 31..16 | region tag: `(regionId mod 65535) + 1` of the Ram region the   |
 * |             |        | word belongs to now (never 0)                                  |
 * |             | 15..10 | writer: the vCPU that wrote it last (`vcpu mod 63`), 63 = owner|
 * |             | 9..0   | version: the writer's write count, mod 1024                    |
 * | hi (4..7)   | 31..0  | `i XOR mix(region tag)`: names the word's offset, and which    |
 * |             |        | region the word was stamped for                                |
 *
 * The owner stamps every word (writer 63, version 0) when memory is plugged, reused or
 * first handed to the workload (sim/memory-stamp.ts); a vCPU's write stores a new `lo`
 * (its writer id and version), never `hi`. So `hi` stays the stamp of the region
 * incarnation and two racing writers cannot tear a word (each stores one aligned 32-bit
 * half). A reader checks each word it touches against the translation that served the
 * access (the region id and mapping offset of the cached or looked-up range):
 *
 * - `poison`: both halves are the poison word: memory reclaimed under the reader.
 * - `wrong-mapping`: the word is a well-formed tag of another region: the translation led
 *   into memory that now belongs to someone else (reused after unplug, for example).
 * - `wrong-offset`: the word is a tag of the right region, for another word index.
 * - `torn`: one half names the translation's region and the other does not: a write of
 *   one incarnation landed over a word stamped for another.
 * - `lost-write`: the word says this vCPU wrote it last, with an older version than the
 *   one this vCPU wrote since (a small per-slice shadow of its own writes): its newer
 *   write went elsewhere.
 * - a word that is none of these (zero, never stamped, device data) is `untagged`: the
 *   access counts as unverified, and a write leaves such a word alone.
 *
 * A verified write stores the whole tagged word(s) it touches, so in this mode the guest
 * data is the tag protocol itself. Nothing here allocates per access; this module never
 * translates (verified-access.ts does) and never decides what a violation means for a run.
 */
import { POISON_U32 } from './poison.js';

/** Result of a verified access (also of one word's check). */
export enum Verified {
  /** Every word the access touched carried a tag that matched the translation. */
  Ok = 0,
  /** At least one word carried no tag: nothing to check it against. */
  Unverified = 1,
  /** A word contradicted the translation: details in the verifier's `last*` fields. */
  Violation = 2,
  /** The address did not resolve to memory (IO, romd off, doorbells, read-only). */
  NotMemory = 3,
}

/** What a word said, when it contradicted its translation. */
export enum TagFault {
  None = 0,
  Poison = 1,
  WrongMapping = 2,
  WrongOffset = 3,
  Torn = 4,
  LostWrite = 5,
}

/** The violation kinds of the run report, indexed by `TagFault`. */
export const TAG_FAULT_NAMES = [
  'none',
  'poison',
  'wrong-mapping',
  'wrong-offset',
  'torn',
  'lost-write',
] as const;

/** Writer id of the owner's stamps. */
export const OWNER_WRITER = 63;
const SHADOW_SLOTS = 1024;
const MIX = 0x9e3779b1 | 0;

/** The region tag of a published region id: never 0. */
export function regionTag(regionId: number): number {
  return (regionId % 0xffff) + 1;
}

/** `hi` of word `index` stamped for region tag `tag` (as an int32). */
export function tagHigh(tag: number, index: number): number {
  return index ^ Math.imul(tag, MIX);
}

/** `lo` of a word of region tag `tag` written by `writer` at `version` (as an int32). */
export function tagLow(tag: number, writer: number, version: number): number {
  return (tag << 16) | ((writer & 63) << 10) | (version & 1023);
}

/**
 * Stamps `bytes[from, to)` (8-aligned offsets of one mapping) as fresh words of region
 * `regionId`, written by the owner at version 0.
 */
export function stampWords(bytes: Uint8Array, from: number, to: number, regionId: number): void {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + from, (to - from) / 4);
  const tag = regionTag(regionId);
  const lo = tagLow(tag, OWNER_WRITER, 0);
  const mix = Math.imul(tag, MIX);
  let index = from / 8;
  for (let k = 0; k < words.length; k += 2) {
    words[k] = lo;
    words[k + 1] = index ^ mix;
    index++;
  }
}

/**
 * One reader thread's checker of tagged words: what a word must say, the shadow of this
 * vCPU's own writes (for lost writes), and the last violation found.
 */
export class TagVerifier {
  /** This reader's writer id (`vcpu mod 63`). */
  readonly writer: number;
  /** Version of this reader's next write. */
  private version = 0;
  private readonly shadowTag = new Int32Array(SHADOW_SLOTS);
  private readonly shadowIndex = new Int32Array(SHADOW_SLOTS);
  private readonly shadowLow = new Int32Array(SHADOW_SLOTS);

  /**
   * The translation that served the last verified access's first byte (valid unless it
   * returned `NotMemory`): its published region id and the byte's host address.
   */
  servedRegion = 0;
  servedHost = 0;

  // The last violation (valid after an access returned `Verified.Violation`).
  lastFault = TagFault.None;
  /** The published region id the translation named. */
  lastRegionId = 0;
  /** Mapping offset of the word. */
  lastOffset = 0;
  /** The word's two halves as read (uint32). */
  lastLow = 0;
  lastHigh = 0;

  constructor(vcpu: number) {
    this.writer = vcpu % OWNER_WRITER;
  }

  /** Forgets the shadow: call when a slice starts (the vCPU may have run elsewhere). */
  resetShadow(): void {
    this.shadowTag.fill(0);
  }

  /**
   * Checks the words of `view` (one mapping) covering mapping offsets `[off, off + len)`
   * against region `regionId`; for a write, stores this reader's tag in every word that
   * checked out. Returns a `Verified` value. `view` must cover whole words there (the
   * caller checks the mapping's length).
   */
  checkSpan(
    view: DataView,
    off: number,
    len: number,
    regionId: number,
    isWrite: boolean,
  ): Verified {
    const first = off >>> 3;
    const last = (off + len - 1) >>> 3;
    const tag = regionTag(regionId);
    let result = Verified.Ok;
    for (let i = first; i <= last; i++) {
      const r = this.checkWord(view, i, tag, regionId);
      if (r === Verified.Violation) return r;
      if (r === Verified.Unverified) result = r;
    }
    if (!isWrite) return result;
    const lo = tagLow(tag, this.writer, this.version++);
    const mix = Math.imul(tag, MIX);
    for (let i = first; i <= last; i++) {
      const at = i * 8;
      // Untagged words are not this mode's memory (device data, never stamped): left alone.
      if (view.getInt32(at + 4, true) !== (i ^ mix)) continue;
      view.setInt32(at, lo, true);
      const slot = (i ^ tag) & (SHADOW_SLOTS - 1);
      this.shadowTag[slot] = tag;
      this.shadowIndex[slot] = i;
      this.shadowLow[slot] = lo;
    }
    return result;
  }

  private checkWord(view: DataView, i: number, tag: number, regionId: number): Verified {
    const at = i * 8;
    const lo = view.getUint32(at, true);
    const hi = view.getUint32(at + 4, true);
    const wordTag = lo >>> 16;
    const mine = hi === tagHigh(tag, i) >>> 0;
    if (wordTag === tag && mine) {
      if (((lo >>> 10) & 63) !== this.writer) return Verified.Ok;
      const slot = (i ^ tag) & (SHADOW_SLOTS - 1);
      if (this.shadowTag[slot] !== tag || this.shadowIndex[slot] !== i) return Verified.Ok;
      if ((this.shadowLow[slot]! | 0) === (lo | 0)) return Verified.Ok;
      return this.fault(TagFault.LostWrite, regionId, at, lo, hi);
    }
    if (lo === POISON_U32 && hi === POISON_U32) {
      return this.fault(TagFault.Poison, regionId, at, lo, hi);
    }
    if (wordTag !== 0 && (hi ^ tagHigh(wordTag, i)) >>> 0 === 0) {
      // A well-formed word of another region incarnation.
      return this.fault(TagFault.WrongMapping, regionId, at, lo, hi);
    }
    if (wordTag === tag) {
      // Our region in `lo`; `hi` names another word of it, or another region.
      const index = (hi ^ Math.imul(tag, MIX)) >>> 0;
      const kind = index < view.byteLength / 8 ? TagFault.WrongOffset : TagFault.Torn;
      return this.fault(kind, regionId, at, lo, hi);
    }
    if (mine) return this.fault(TagFault.Torn, regionId, at, lo, hi);
    return Verified.Unverified;
  }

  private fault(kind: TagFault, regionId: number, at: number, lo: number, hi: number): Verified {
    this.lastFault = kind;
    this.lastRegionId = regionId;
    this.lastOffset = at;
    this.lastLow = lo >>> 0;
    this.lastHigh = hi >>> 0;
    return Verified.Violation;
  }
}
