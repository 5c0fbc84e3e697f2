/**
 * The one reader interface that every publication strategy implements
 * (`SharedViewReader`), and the one structured-cloneable handle that lets a thread attach
 * to a published address space (`ReaderHandle`).
 *
 * A reader is any thread that translates guest addresses and touches guest memory: a vCPU
 * worker, a device backend. It sees only published tables, never a `Region`. This file
 * declares shapes and the small enumerations they use; it holds no behaviour.
 */
import type { DirectorySnapshot } from './directory.js';
import type { TagVerifier, Verified } from './memory-tags.js';
import type { TranslationTarget } from './translation.js';

/**
 * A strategy's name: a built-in (`BuiltinStrategy`) or one registered by the user
 * (strategies/registry.ts).
 */
export type Strategy = string;
/**
 * The built-in strategies: `rcu` (default), `seqlock`, `mutex`, `rwlock`, `refcount`,
 * `hazard`, `ebr`, `leftright`, and `none` (no synchronisation: a baseline, unsafe).
 */
export type BuiltinStrategy =
  | 'rcu'
  | 'seqlock'
  | 'mutex'
  | 'rwlock'
  | 'refcount'
  | 'hazard'
  | 'ebr'
  | 'leftright'
  | 'none';
/** The built-in strategies, in the order reports and usage list them. */
export const STRATEGIES: readonly BuiltinStrategy[] = [
  'rcu',
  'seqlock',
  'mutex',
  'rwlock',
  'refcount',
  'hazard',
  'ebr',
  'leftright',
  'none',
];

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
 * Everything a thread needs to attach a reader (`SharedView.attach`): shared buffers and
 * numbers only, so it can be posted to a worker. Built by the owner's publisher
 * (`publisher.readerHandle(index)`), with a fresh directory snapshot each time.
 */
export interface ReaderHandle {
  readonly strategy: Strategy;
  /** The reader's slot in the publisher's reader buffer. */
  readonly readerIndex: number;
  /** The publisher's control block (reader/layout.ts). */
  readonly control: SharedArrayBuffer;
  /** The reader slots (reader/layout.ts). */
  readonly readers: SharedArrayBuffer;
  readonly directory: DirectorySnapshot;
  /** seqlock: most accesses between two announcements of the reader's epoch. */
  readonly batchLimit: number;
  /** The module URL of a plug-in strategy (`SharedView.prepare` imports it); absent for built-ins. */
  readonly strategyModule?: string;
  /** Room for what a strategy of its own adds; the built-in ones read only the above. */
  readonly [key: string]: unknown;
}

/**
 * What a reader thread does with guest memory. All methods run without allocation on the
 * hot path. Accesses throw `AddressSpaceError` (RegionNotFound, RegionType, IoAccess,
 * Overflow) exactly as the owner's `AddressSpace` access methods do, and `ReaderFault`
 * when the reader must end its slice (reader/reader-faults.ts).
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
  /**
   * Writes what the adopted view says about `gpa` into `out` (no allocation); returns
   * false when `gpa` is unmapped. Counts as one access.
   */
  translate(gpa: number, out: TranslationTarget): boolean;
  /**
   * The stalled-reader scenario (SPEC 7): the next `read(gpa, dst)` that reaches guest
   * memory stops for `ms` milliseconds inside the access (after resolving, before
   * copying), holding what the strategy holds during an access. One-shot.
   */
  stallNextRead(ms: number): void;
  /** Releases what attaching took (the directory channel). Call after `offline()`. */
  close(): void;
  /**
   * Self-checking memory (memory-tags.ts): performs an access of `size` bytes at `gpa`
   * through this reader's translation and checks the tagged words it touched against that
   * translation; a write stores this reader's tag. `Verified.NotMemory`: it was not memory,
   * and the ordinary access was made (a write stores the verifier's fallback value).
   * Optional: a strategy without it is unverified.
   */
  verifiedAccess?(gpa: number, size: number, isWrite: boolean, verifier: TagVerifier): Verified;

  // What accesses did, as counted by the reader (never reset; compare two readings):
  /** Writes that matched an ioeventfd: its EventFd was signalled, nothing else happened. */
  readonly ioeventfdSignals: number;
  /** Accesses handed to the MMIO handler (including those the device then failed). */
  readonly mmioExits: number;
  /**
   * Accesses that found the view table they looked up in reclaimed by the owner before
   * they were done with it (table-age.ts): 0 under a safe strategy. Optional.
   */
  readonly reclaimedTableUses?: number;
  /** The last of those: address, adopted generation, the epoch word found (0: reclaimed). */
  readonly lastReclaimedUse?: { gpa: number; generation: number; epochFound: number };
}
