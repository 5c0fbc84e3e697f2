/**
 * Owner-side history of published views, for checking what readers report: for each
 * generation, a compact copy of its ranges, so that a sample `(generation, gpa, regionId,
 * hostAddress)` taken by any reader can be checked exactly against the view of that
 * generation.
 *
 * It records and answers; it never publishes and never decides when a reader may run.
 * The caller trims it once no sample can name old generations any more.
 */
import type { FlatView } from '../../core/flat-view.js';
import { findRow } from './table-writer.js';

/** What a view says about one guest address. */
export interface ExpectedTranslation {
  readonly regionId: number;
  /** Host address of the byte, or -1 for an IO range. */
  readonly hostAddress: number;
}

interface ViewSummary {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly regionId: Int32Array;
  /** Host address of `start`, -1 for IO. */
  readonly hostBase: Float64Array;
  /** 1 where a read is served by memory (RAM, RAM device, ROM device in romd mode). */
  readonly readsMemory: Uint8Array;
}

/** A reader's observation, to be checked against the history. */
export interface TranslationSample {
  readonly generation: number;
  readonly gpa: number;
  /** -1 when the reader found no range. */
  readonly regionId: number;
  /** -1 for IO or no range. */
  readonly hostAddress: number;
}

export class ViewHistory {
  private readonly views = new Map<number, ViewSummary>();
  private oldest = Number.POSITIVE_INFINITY;

  /** Remembers `view` under its generation. */
  record(view: FlatView): void {
    const n = view.ranges.length;
    const summary: ViewSummary = {
      start: new Float64Array(n),
      end: new Float64Array(n),
      regionId: new Int32Array(n),
      hostBase: new Float64Array(n),
      readsMemory: new Uint8Array(n),
    };
    for (let i = 0; i < n; i++) {
      const range = view.ranges[i]!;
      summary.start[i] = range.addrRange.base;
      summary.end[i] = range.addrRange.base + range.addrRange.size;
      summary.regionId[i] = range.owner.id;
      const mapping = range.owner.mapping;
      summary.hostBase[i] =
        range.owner.regionType === 'IO' || mapping === undefined
          ? -1
          : mapping.hostAddress + range.offsetInRegion;
      const type = range.owner.regionType;
      summary.readsMemory[i] =
        type === 'Ram' || type === 'RamDevice' || (type === 'RomDevice' && range.romd !== false)
          ? 1
          : 0;
    }
    this.views.set(view.generation, summary);
    if (view.generation < this.oldest) this.oldest = view.generation;
  }

  has(generation: number): boolean {
    return this.views.has(generation);
  }

  get size(): number {
    return this.views.size;
  }

  /** What generation `generation` says about `gpa`; `undefined` when unmapped. Throws for an unknown generation. */
  expected(generation: number, gpa: number): ExpectedTranslation | undefined {
    const view = this.views.get(generation);
    if (view === undefined) {
      throw new RangeError(`generation ${generation} is not in the history`);
    }
    const row = findRow(view.start, view.end, view.start.length, gpa);
    if (row < 0) return undefined;
    const base = view.hostBase[row]!;
    return {
      regionId: view.regionId[row]!,
      hostAddress: base < 0 ? -1 : base + (gpa - view.start[row]!),
    };
  }

  /** Whether `sample` is exactly what its generation's view gives. */
  matches(sample: TranslationSample): boolean {
    if (!this.views.has(sample.generation)) return false;
    const expected = this.expected(sample.generation, sample.gpa);
    if (expected === undefined) return sample.regionId === -1;
    return expected.regionId === sample.regionId && expected.hostAddress === sample.hostAddress;
  }

  /**
   * Whether generation `generation` serves a read of `gpa` from memory (false for IO, a
   * ROM device with romd off, an unmapped address). Throws for an unknown generation.
   */
  readsMemory(generation: number, gpa: number): boolean {
    const view = this.views.get(generation);
    if (view === undefined) {
      throw new RangeError(`generation ${generation} is not in the history`);
    }
    const row = findRow(view.start, view.end, view.start.length, gpa);
    return row >= 0 && view.readsMemory[row] === 1;
  }

  /** Forgets every generation below `generation`. */
  trimBefore(generation: number): void {
    if (generation <= this.oldest) return;
    for (const g of this.views.keys()) if (g < generation) this.views.delete(g);
    this.oldest = generation;
  }
}
