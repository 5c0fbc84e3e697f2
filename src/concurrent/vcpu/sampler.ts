/**
 * A single-producer, single-consumer ring of fixed-width numeric records in shared
 * memory, and the two record kinds a vCPU writes into one: translation samples for the
 * checker, and MMIO round-trip latencies for the report.
 *
 * The producer (the thread running the vCPU) never blocks and never allocates: when the
 * ring is full the record is dropped and counted. The consumer (the owner) drains records
 * in order. Only one thread produces at a time: a vCPU runs on one thread per slice, and
 * the slice task's hand-over through the pool orders one producer's writes before the
 * next one's. This module transports records; it never decides what a sample means
 * (the checker validates them against the publication history).
 *
 * Layout: int32 header words, then `capacity * width` float64 values.
 *
 * | int32 word  | meaning                                                        |
 * |-------------|----------------------------------------------------------------|
 * | kWrite      | records produced (uint32, wraps); the store publishes a record |
 * | kRead       | records consumed (uint32, wraps); the store frees slots         |
 * | kDropped    | records dropped because the ring was full                      |
 * | kWidth      | float64 values per record                                      |
 */
import { AddressSpaceError } from '../../base/errors.js';

const kWrite = 0;
const kRead = 1;
const kDropped = 2;
const kWidth = 3;
const HEADER_BYTES = 16;

export class SampleRing {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly width: number;
  private readonly header: Int32Array;
  private readonly values: Float64Array;
  private readonly mask: number;
  /** Producer's cached copy of kRead: reloaded only when the ring looks full. */
  private readSeen = 0;

  constructor(buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < HEADER_BYTES + 8) {
      throw AddressSpaceError.invalidArgument('not a shared sample ring');
    }
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.width = Atomics.load(this.header, kWidth);
    this.values = new Float64Array(buffer, HEADER_BYTES);
    this.capacity = this.values.length / this.width;
    this.mask = this.capacity - 1;
    if (!Number.isInteger(this.capacity) || (this.capacity & this.mask) !== 0) {
      throw AddressSpaceError.invalidArgument('sample ring capacity must be a power of two');
    }
  }

  /** A ring of `capacity` (a power of two) records of `width` numbers each. */
  static create(capacity: number, width: number): SampleRing {
    if (!Number.isSafeInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) {
      throw AddressSpaceError.invalidArgument(
        `ring capacity must be a power of two, got ${capacity}`,
      );
    }
    if (!Number.isSafeInteger(width) || width < 1 || width > 64) {
      throw AddressSpaceError.invalidArgument(`ring record width must be in [1, 64], got ${width}`);
    }
    const buffer = new SharedArrayBuffer(HEADER_BYTES + capacity * width * 8);
    Atomics.store(new Int32Array(buffer, 0, HEADER_BYTES / 4), kWidth, width);
    return new SampleRing(buffer);
  }

  /**
   * Producer: reserves the next slot and returns the index of its first value in
   * `values`, or -1 when the ring is full (the record is counted as dropped). Fill the
   * values, then call `commit()`.
   */
  reserve(): number {
    const write = Atomics.load(this.header, kWrite);
    if ((write - this.readSeen) >>> 0 >= this.capacity) {
      this.readSeen = Atomics.load(this.header, kRead);
      if ((write - this.readSeen) >>> 0 >= this.capacity) {
        Atomics.add(this.header, kDropped, 1);
        return -1;
      }
    }
    return (write & this.mask) * this.width;
  }

  /** Producer: the value array that `reserve()` indexes into. */
  get slots(): Float64Array {
    return this.values;
  }

  /** Producer: publishes the reserved record. */
  commit(): void {
    Atomics.store(this.header, kWrite, (Atomics.load(this.header, kWrite) + 1) | 0);
  }

  /** Producer convenience for one-value records. */
  push1(a: number): boolean {
    const at = this.reserve();
    if (at < 0) return false;
    this.values[at] = a;
    this.commit();
    return true;
  }

  /** Records waiting for the consumer. */
  get pending(): number {
    return (Atomics.load(this.header, kWrite) - Atomics.load(this.header, kRead)) >>> 0;
  }

  get dropped(): number {
    return Atomics.load(this.header, kDropped);
  }

  /**
   * Consumer: calls `visit(values, at)` for each waiting record in order (read the record's
   * `width` values from `at`, do not keep the array), then frees them. Returns the count.
   */
  drain(visit: (values: Float64Array, at: number) => void): number {
    const read = Atomics.load(this.header, kRead);
    const write = Atomics.load(this.header, kWrite);
    const count = (write - read) >>> 0;
    for (let i = 0; i < count; i++) visit(this.values, ((read + i) & this.mask) * this.width);
    Atomics.store(this.header, kRead, write);
    return count;
  }
}

/** What a translation sample says the vCPU saw. */
export enum SampleKind {
  Read = 1,
  Write = 2,
  MmioExit = 3,
  Ioeventfd = 4,
  Fault = 5,
  /** A RAM read returned the poison pattern through a view the reader believed current. */
  Poison = 6,
  /**
   * A verified access found a word that contradicts the translation that served it
   * (memory-tags.ts): `tag` holds what was expected and found.
   */
  Tag = 7,
  /**
   * A verified access's own translation (not a lookup made afterwards): it was served by
   * memory at `hostAddress` of region `regionId`, through the view labelled `generation`.
   */
  Served = 8,
  /**
   * Accesses of a batch used a view table the owner had reclaimed under them
   * (reader/table-age.ts): `generation` and `gpa` of the last one, `regionId` holds the
   * epoch word it found in the table (0: stamped reclaimed), `hostAddress` how many.
   */
  ReclaimedTable = 9,
}

/**
 * Float64 values per translation sample: generation, gpa, regionId, hostAddress, kind,
 * then for `Tag` samples: the `TagFault`, the word's mapping offset, its lo and hi halves.
 */
export const TRANSLATION_SAMPLE_WIDTH = 9;

/** What a `Tag` sample adds: the fault (memory-tags.ts `TagFault`) and the word. */
export interface TagSampleDetail {
  readonly fault: number;
  /** Offset of the word in its mapping. */
  readonly offset: number;
  readonly low: number;
  readonly high: number;
}

export interface TranslationSample {
  readonly generation: number;
  readonly gpa: number;
  /** Region id from the published table, -1 when the address resolved to nothing. */
  readonly regionId: number;
  /** Host address of the byte, -1 for IO and unmapped addresses. */
  readonly hostAddress: number;
  readonly kind: SampleKind;
  /** `Tag` samples only. */
  readonly tag?: TagSampleDetail;
}

/** Producer: one translation sample; false when the ring was full. */
export function pushTranslationSample(
  ring: SampleRing,
  generation: number,
  gpa: number,
  regionId: number,
  hostAddress: number,
  kind: SampleKind,
): boolean {
  const at = ring.reserve();
  if (at < 0) return false;
  const v = ring.slots;
  v[at] = generation;
  v[at + 1] = gpa;
  v[at + 2] = regionId;
  v[at + 3] = hostAddress;
  v[at + 4] = kind;
  ring.commit();
  return true;
}

/** Producer: one `Tag` sample (a verified access's violation); false when the ring was full. */
export function pushTagSample(
  ring: SampleRing,
  generation: number,
  gpa: number,
  regionId: number,
  fault: number,
  offset: number,
  low: number,
  high: number,
): boolean {
  const at = ring.reserve();
  if (at < 0) return false;
  const v = ring.slots;
  v[at] = generation;
  v[at + 1] = gpa;
  v[at + 2] = regionId;
  v[at + 3] = -1;
  v[at + 4] = SampleKind.Tag;
  v[at + 5] = fault;
  v[at + 6] = offset;
  v[at + 7] = low;
  v[at + 8] = high;
  ring.commit();
  return true;
}

/** Consumer: drains translation samples into plain objects (owner side, allocates). */
export function drainTranslationSamples(
  ring: SampleRing,
  into: TranslationSample[] = [],
): TranslationSample[] {
  ring.drain((v, at) => {
    const kind = v[at + 4]! as SampleKind;
    const sample: TranslationSample = {
      generation: v[at]!,
      gpa: v[at + 1]!,
      regionId: v[at + 2]!,
      hostAddress: v[at + 3]!,
      kind,
    };
    into.push(
      kind === SampleKind.Tag && ring.width >= TRANSLATION_SAMPLE_WIDTH
        ? {
            ...sample,
            tag: { fault: v[at + 5]!, offset: v[at + 6]!, low: v[at + 7]!, high: v[at + 8]! },
          }
        : sample,
    );
  });
  return into;
}
