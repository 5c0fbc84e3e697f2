/**
 * The second level of the reader's TranslationCache: the last few memory ranges of the
 * adopted table that it translated, so that an access pattern alternating between a
 * handful of ranges (low and high RAM, a framebuffer) does not pay a table lookup on every
 * switch. Each entry holds what the first-level cache holds (delta, offsets, bytes, view)
 * and which accesses it allows.
 *
 * It belongs to one adopted table: the reader clears it whenever it adopts another. It
 * never looks at tables itself.
 */

/** Entry access bits. */
export const kRecentRead = 1;
export const kRecentWrite = 2;

const ENTRIES = 4;
const EMPTY = new Uint8Array(new SharedArrayBuffer(8));
const EMPTY_VIEW = new DataView(EMPTY.buffer);

export class RecentRanges {
  /** Byte `gpa` is at `gpa - delta[k]` in `bytes[k]`, valid for offsets `[low[k], high[k])`. */
  readonly delta = new Float64Array(ENTRIES);
  readonly low = new Float64Array(ENTRIES);
  readonly high = new Float64Array(ENTRIES);
  /** kRecentRead | kRecentWrite; 0 marks an empty entry. */
  readonly access = new Int32Array(ENTRIES);
  /** Published region id of each entry's range. */
  readonly region = new Int32Array(ENTRIES);
  /** Host address of byte 0 of each entry's mapping. */
  readonly host = new Float64Array(ENTRIES);
  readonly bytes: Uint8Array[] = new Array<Uint8Array>(ENTRIES).fill(EMPTY);
  readonly views: DataView[] = new Array<DataView>(ENTRIES).fill(EMPTY_VIEW);
  private next = 0;

  clear(): void {
    this.access.fill(0);
  }

  /** Remembers a range (replacing the oldest entry, or refreshing the same range). */
  remember(
    delta: number,
    low: number,
    high: number,
    access: number,
    bytes: Uint8Array,
    view: DataView,
    region = 0,
    host = 0,
  ): void {
    let k = 0;
    while (
      k < ENTRIES &&
      !(this.access[k] !== 0 && this.delta[k] === delta && this.low[k] === low)
    ) {
      k++;
    }
    if (k === ENTRIES) {
      k = this.next;
      this.next = (k + 1) % ENTRIES;
    }
    this.delta[k] = delta;
    this.low[k] = low;
    this.high[k] = high;
    this.access[k] = access;
    this.bytes[k] = bytes;
    this.views[k] = view;
    this.region[k] = region;
    this.host[k] = host;
  }

  /** The entry holding `[gpa, gpa + size)` with `need` access, or -1. `gpa` must be a number. */
  find(gpa: number, size: number, need: number): number {
    for (let k = 0; k < ENTRIES; k++) {
      if ((this.access[k]! & need) === 0) continue;
      const off = gpa - this.delta[k]!;
      if (off >>> 0 === off && off >= this.low[k]! && off + size <= this.high[k]!) return k;
    }
    return -1;
  }
}
