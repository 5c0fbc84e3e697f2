/**
 * What the suite's owner and its reader threads (workers/check-reader.ts) share: the
 * worker's input and result, and the word layouts of the two shared buffers.
 *
 * Shared words (`CheckReaderData.shared`, Int32):
 * - `kStop`: the owner stores 1 to end every loop.
 * - `kPublished`: the FlatView generation of the owner's latest publish that returned
 *   (stored after the publish), so a reader knows a generation it must adopt within the
 *   adoption bound.
 * - `kOnline`: readers that went online (each adds 1).
 *
 * MMIO channel (`CheckReaderData.mmio`, Int32; one reader per channel): the reader stores
 * region id, region base, offset, then `kMmioState = kMmioRequest` and waits; the owner
 * serves, stores the value read and `kMmioOk`, then `kMmioState = kMmioAnswered`; the
 * reader reads the answer and stores `kMmioIdle`.
 *
 * Declarations and constants only.
 */
import type { ReaderHandle } from '../concurrent/reader/reader-api.js';

export const kStop = 0;
export const kPublished = 1;
export const kOnline = 2;
export const SHARED_WORDS = 4;

export const kMmioState = 0;
export const kMmioRegion = 1;
export const kMmioOffset = 2;
export const kMmioValue = 3;
export const kMmioOk = 4;
export const MMIO_WORDS = 8;
export const kMmioIdle = 0;
export const kMmioRequest = 1;
export const kMmioAnswered = 2;
/** The closing value: the owner stopped serving; a waiting reader fails its access. */
export const kMmioClosed = 3;

/** What an IO region of the MMIO scenario answers to a 4-byte read: a tag of its id. */
export function deviceTag(regionId: number): number {
  return (0x5a000000 | (regionId & 0xffffff)) >>> 0;
}

/**
 * - `translate`: random translations; every 8th is a sample `(generation, gpa, regionId,
 *   hostAddress)` for the owner's history; counts adoptions later than the bound.
 * - `poison`: random u32 reads (write-backs too) of RAM; a poison word is a violation.
 * - `stall`: the `poison` loop, plus every `stallEveryMs` one `read` that stops for
 *   `stallMs` inside the access (then checks what it copied for poison).
 * - `spin`: reads until the owner terminates the thread.
 * - `mmio`: u32 reads of `gpa`, an IO region: each is an exit served through the channel.
 */
export type CheckLoop = 'translate' | 'poison' | 'stall' | 'spin' | 'mmio';

export interface CheckReaderData {
  readonly handle: ReaderHandle;
  readonly loop: CheckLoop;
  readonly shared: SharedArrayBuffer;
  readonly span: number;
  readonly seed: number;
  /** Accesses within which a reader must adopt a generation it saw published. */
  readonly adoptBound: number;
  readonly gpa?: number;
  readonly mmio?: SharedArrayBuffer;
  readonly stallMs?: number;
  readonly stallEveryMs?: number;
}

export interface CheckReaderResult {
  readonly accesses: number;
  /** ReaderFaults (evicted, unknown table): the loop went online again after each. */
  readonly faults: number;
  readonly faultMessages: readonly string[];
  /** `translate`: (generation, gpa, regionId, hostAddress) quadruples. */
  readonly samples: Float64Array;
  /** Generations adopted (changes of the generation the reader used). */
  readonly generations: number;
  /** `translate`: accesses that used a generation older than one published more than the bound ago, and the first. */
  readonly stale: number;
  readonly firstStale: string;
  /** `translate`: a generation older than one this reader used before. */
  readonly backwards: number;
  /** Poison words read through the view the reader believed current, and the first. */
  readonly poisonReads: number;
  readonly firstPoison: string;
  /** `mmio`: exits made, values that were not the resolved region's tag, failed exits. */
  readonly exits: number;
  readonly wrongRegion: number;
  readonly failedExits: number;
  readonly firstMmioProblem: string;
  /** `stall`: stalls made inside an access. */
  readonly stalls: number;
}
