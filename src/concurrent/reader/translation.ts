/**
 * What a reader's `translate` answers about one guest address, written into a
 * caller-owned object so that translating allocates nothing.
 *
 * Plain shapes only: the reader fills them (view-reader.ts), checkers and samplers read
 * them. Nothing here looks at a table.
 */

/** Where `translate` writes its answer: a caller-owned, reusable object. */
export interface TranslationTarget {
  /** FlatView generation of the view that answered. */
  generation: number;
  /** -1 when unmapped. */
  regionId: number;
  /** A `TableRegionType`, 0 when unmapped. */
  regionType: number;
  /** Host address of the byte; -1 for IO and unmapped. */
  hostAddress: number;
  offsetInRegion: number;
  /** Bounds of the flat range holding the byte. */
  start: number;
  end: number;
}

/** A `TranslationTarget` to allocate once and reuse: starts as "unmapped". */
export class Translation implements TranslationTarget {
  generation = 0;
  regionId = -1;
  regionType = 0;
  hostAddress = -1;
  offsetInRegion = 0;
  start = 0;
  end = 0;
}
