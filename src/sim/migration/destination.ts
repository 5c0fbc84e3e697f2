/**
 * The destination of a migration (SPEC 10): a copy of every migrated mapping in this
 * process (plain, lazily committed memory), fed page by page, optionally mirrored into a
 * migration stream (stream.ts); and the byte-for-byte comparison with the source.
 *
 * Zero pages (QEMU's RAM_SAVE_FLAG_ZERO) travel as a record without payload and are not
 * written into the copy unless it held something there, so untouched guest RAM costs
 * neither bandwidth nor resident memory. Reading a source page while a vCPU writes it is
 * expected: the write marks the page dirty after its bytes land, so a later round (or the
 * stop-and-copy, with the vCPUs paused) sends it again. Owner thread only.
 */
import { PAGE_SIZE } from '../../base/constants.js';
import type { FlatView } from '../../core/flat-view.js';
import type { HostMemMapping } from '../../host/mapping.js';
import { pageRecordBytes, type StreamWriter } from './stream.js';

/** How many differing pages the comparison names one by one. */
export const FIRST_DIFFERENCES = 8;
const COMPARE_CHUNK = 1 << 20;

/** One page whose bytes differ between source and destination: its mapping, page index and guest address. */
export interface Difference {
  readonly mapping: string;
  readonly page: number;
  /** A guest-physical address of the page's first byte in the source's view, or -1. */
  readonly gpa: number;
}

/** The byte-for-byte comparison of every RAM mapping after migration: pages compared, pages differing, the first differences. */
export interface Comparison {
  readonly pages: number;
  readonly differingPages: number;
  readonly firstDifferences: readonly Difference[];
}

/** A page of zeros to compare source pages with (a native memcmp per page). */
const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

interface Target {
  readonly source: HostMemMapping;
  /** The source's bytes as a Buffer (shares its memory). */
  readonly sourceBuffer: Buffer;
  readonly copy: Uint8Array;
  /** 1 where the copy holds a non-zero page. */
  readonly written: Uint8Array;
  readonly pages: number;
}

export class Destination {
  readonly targets: readonly Target[];
  /** Pages sent so far and how many of them were zero pages. */
  sentPages = 0;
  zeroPages = 0;
  /** Bytes on the wire: page records (header and payload). */
  bytes = 0;

  constructor(
    mappings: readonly HostMemMapping[],
    private readonly stream?: StreamWriter,
  ) {
    this.targets = mappings.map((source) => {
      const pages = Math.ceil(source.size / PAGE_SIZE);
      return {
        source,
        sourceBuffer: Buffer.from(source.buffer),
        copy: new Uint8Array(source.size),
        written: new Uint8Array(pages),
        pages,
      };
    });
  }

  /** Every page of every mapping. */
  get totalPages(): number {
    return this.targets.reduce((sum, t) => sum + t.pages, 0);
  }

  /** Sends page `page` of target `index`; returns the bytes it cost on the wire. */
  sendPage(index: number, page: number): number {
    const t = this.targets[index]!;
    const start = page * PAGE_SIZE;
    const end = Math.min(t.source.size, start + PAGE_SIZE);
    const zero = isZeroPage(t, start, end);
    if (zero) {
      if (t.written[page] === 1) {
        t.copy.fill(0, start, end);
        t.written[page] = 0;
      }
      this.zeroPages++;
      this.stream?.page(index, page, undefined);
    } else {
      const bytes = t.source.bytes.subarray(start, end);
      t.copy.set(bytes, start);
      t.written[page] = 1;
      this.stream?.page(index, page, t.copy.subarray(start, end));
    }
    this.sentPages++;
    const cost = pageRecordBytes(t.source.size, page, zero);
    this.bytes += cost;
    return cost;
  }

  /** Compares every byte of every copy with its source; `view` gives the pages' GPAs. */
  compare(view: FlatView): Comparison {
    let differing = 0;
    const first: Difference[] = [];
    for (const t of this.targets) {
      const src = t.sourceBuffer;
      const dst = Buffer.from(t.copy.buffer, t.copy.byteOffset, t.copy.byteLength);
      for (let at = 0; at < t.source.size; at += COMPARE_CHUNK) {
        const end = Math.min(t.source.size, at + COMPARE_CHUNK);
        if (src.compare(dst, at, end, at, end) === 0) continue;
        for (let p = at; p < end; p += PAGE_SIZE) {
          const pe = Math.min(end, p + PAGE_SIZE);
          if (src.compare(dst, p, pe, p, pe) === 0) continue;
          differing++;
          if (first.length < FIRST_DIFFERENCES) {
            first.push({
              mapping: t.source.name,
              page: p / PAGE_SIZE,
              gpa: gpaOf(view, t.source, p),
            });
          }
        }
      }
    }
    return { pages: this.totalPages, differingPages: differing, firstDifferences: first };
  }
}

function isZeroPage(t: Target, start: number, end: number): boolean {
  return t.sourceBuffer.compare(ZERO_PAGE, 0, end - start, start, end) === 0;
}

/** The lowest GPA where `view` shows byte `offset` of `mapping`, or -1. */
export function gpaOf(view: FlatView, mapping: HostMemMapping, offset: number): number {
  for (let i = 0; i < view.rangeCount; i++) {
    const r = view.rangeAt(i)!;
    if (r.owner.mapping !== mapping) continue;
    const from = r.offsetInRegion;
    if (offset >= from && offset < from + r.addrRange.size) return r.addrRange.base + offset - from;
  }
  return -1;
}
