/**
 * The data a reader thread attaches with, and the caller-owned object `translate` fills.
 * Plain shapes only: the publisher builds handles, `SharedView.attach` consumes them.
 */
import type { DirectorySnapshot } from './directory.js';
import type { Strategy, TranslationTarget } from './reader-api.js';

/** The structured-cloneable handle that `publisher.readerHandle()` returns. */
export interface SharedReaderHandle {
  readonly strategy: Strategy;
  readonly readerIndex: number;
  readonly control: SharedArrayBuffer;
  readonly readers: SharedArrayBuffer;
  readonly directory: DirectorySnapshot;
  /** seqlock: most accesses between two announcements of the reader's epoch. */
  readonly batchLimit: number;
  readonly [key: string]: unknown;
}

/** A translation written by `translate` into a caller-owned object (no allocation). */
export class Translation implements TranslationTarget {
  generation = 0;
  regionId = -1;
  regionType = 0;
  /** Host address of the byte, or -1 for IO and unmapped. */
  hostAddress = -1;
  offsetInRegion = 0;
  start = 0;
  end = 0;
}
