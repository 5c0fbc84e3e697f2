/**
 * The one reader interface that every publication strategy implements, and the
 * structured-cloneable handle that lets a thread attach to a published address space.
 *
 * A reader is any thread that translates guest addresses and touches guest memory: a vCPU
 * worker, a device backend. It sees only published tables, never a `Region`. This file
 * holds types only.
 */

export type Strategy = 'rcu' | 'seqlock' | 'mutex' | 'none';
export const STRATEGIES: readonly Strategy[] = ['rcu', 'seqlock', 'mutex', 'none'];

/** Range types as stored in the published table (one small integer each). */
export enum TableRegionType {
  Ram = 1,
  IO = 2,
  RomDevice = 3,
  RamDevice = 4,
}

/**
 * An MMIO exit, handed by a reader to whoever services exits for it (a vCPU posts it into
 * its mailbox and waits for the owner). `data` holds the bytes to write, or receives the
 * bytes read. Returns false when the device failed the access (the reader then throws
 * `IoAccess`).
 */
export type MmioExitHandler = (
  regionId: number,
  regionBase: number,
  offset: number,
  data: Uint8Array,
  isWrite: boolean,
) => boolean;

/**
 * Everything a thread needs to attach a reader: shared buffers and numbers only, so it
 * can be posted to a worker. Built by the owner's publisher (`publisher.readerHandle()`).
 * The concrete fields are defined by the publisher module.
 */
export interface ReaderHandle {
  readonly strategy: Strategy;
  readonly readerIndex: number;
  readonly [key: string]: unknown;
}

/**
 * What a reader thread does with guest memory. All methods run without allocation on the
 * hot path. Accesses throw `AddressSpaceError` (RegionNotFound, RegionType, IoAccess,
 * Overflow) exactly as the owner's `AddressSpace` access methods do.
 */
export interface SharedViewReader {
  readonly strategy: Strategy;
  /** The generation this reader has adopted (0 before the first adopt). */
  readonly generation: number;
  /** Joins grace-period accounting (start of a slice). */
  online(): void;
  /** Leaves grace-period accounting (end of a slice): no grace period waits for it. */
  offline(): void;
  /** A quiescent point: adopt the newest generation if there is one, drop caches. */
  quiescent(): void;
  /** Installs the handler for accesses that resolve to IO / romd-off RomDevice. */
  setMmioHandler(handler: MmioExitHandler | undefined): void;

  readU8(gpa: number): number;
  readU16(gpa: number): number;
  readU32(gpa: number): number;
  readU64(gpa: number): bigint;
  writeU8(gpa: number, value: number): void;
  writeU16(gpa: number, value: number): void;
  writeU32(gpa: number, value: number): void;
  writeU64(gpa: number, value: bigint): void;
  /** Byte spans, across adjacent RAM pieces. */
  read(gpa: number, dst: Uint8Array): void;
  write(gpa: number, src: Uint8Array): void;
}

/**
 * The reader that `SharedView.attach` returns: `SharedViewReader` plus translation (for
 * checkers) and cleanup. Kept apart so that other memories (raw) need not translate.
 */
export interface PublishedViewReader extends SharedViewReader {
  /**
   * Writes what the adopted view says about `gpa` into `out` (no allocation); returns
   * false when `gpa` is unmapped. Counts as one access.
   */
  translate(gpa: number, out: TranslationTarget): boolean;
  /** Releases the reader's directory channel. Call after `offline()`. */
  close(): void;
}

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
