/**
 * Per-vCPU state in shared memory: status, the owner's stop request, which thread runs
 * the vCPU, the saved workload stream position, and the counters.
 *
 * Any pool thread can run any vCPU because everything that must survive a slice lives
 * here, not in a thread. The vCPU thread is the only writer of status, thread id,
 * generator state and counters; the owner is the only writer of the stop request. Counters
 * are 64-bit and stored with `Atomics.store` at batch ends, at most every millisecond
 * (vcpu-slice.ts) and at the end of each slice, so the owner's live reads (progress line,
 * timeline) are whole values that may be a millisecond (or one batch) late.
 * This module stores and loads; it never decides when a vCPU runs or stops.
 *
 * Layout, one block of `VCPU_STATE_STRIDE` bytes per vCPU (blocks are padded to base's
 * `CACHE_LINE`, so two vCPUs never share a cache line):
 *
 * | int32 word            | meaning                                             |
 * |-----------------------|-----------------------------------------------------|
 * | kStatus               | `VcpuStatus`                                         |
 * | kStopRequest          | 1 once the owner asked the vCPU to stop its slice    |
 * | kThreadId             | threadId of the worker running it, -1 between slices |
 * | kGeneratorSaved       | 1 once a slice saved the workload stream position    |
 * | kGeneratorState ...   | `GENERATOR_STATE_WORDS` words of stream position     |
 *
 * followed, at byte `COUNTERS_BYTE_OFFSET`, by one BigInt64 per name in `VCPU_COUNTERS`.
 */
import { CACHE_LINE } from '../../base/constants.js';
import { AddressSpaceError } from '../../base/errors.js';
import { GENERATOR_STATE_WORDS } from './access-pattern.js';

export enum VcpuStatus {
  Idle = 0,
  Running = 1,
  InMmioExit = 2,
  Stopped = 3,
  Crashed = 4,
}

export const VCPU_COUNTERS = [
  'accesses',
  'reads',
  'writes',
  'mmioExits',
  'ioeventfdSignals',
  'faults',
  'slices',
  'poisonReads',
  'samples',
  'ioAccessFaults',
  'regionNotFoundFaults',
  'regionTypeFaults',
  // Self-checking memory (memory-tags.ts): RAM accesses, and those a tag verified.
  'ramAccesses',
  'verifiedAccesses',
  'unverifiedAccesses',
  'tagViolations',
  'stalls',
] as const;
export type VcpuCounterName = (typeof VCPU_COUNTERS)[number];
export type VcpuCounters = Record<VcpuCounterName, number>;

/** Index of each counter, for the allocation-free Float64Array form used in workers. */
export const Counter: { readonly [K in VcpuCounterName]: number } = Object.fromEntries(
  VCPU_COUNTERS.map((name, i) => [name, i]),
) as { [K in VcpuCounterName]: number };

const kStatus = 0;
const kStopRequest = 1;
const kThreadId = 2;
const kGeneratorSaved = 3;
const kGeneratorState = 4;
const CONTROL_WORDS = kGeneratorState + GENERATOR_STATE_WORDS;

const COUNTERS_BYTE_OFFSET = Math.ceil((CONTROL_WORDS * 4) / 8) * 8;
/** Bytes per vCPU block. */
export const VCPU_STATE_STRIDE =
  Math.ceil((COUNTERS_BYTE_OFFSET + VCPU_COUNTERS.length * 8) / CACHE_LINE) * CACHE_LINE;
const WORDS_PER_BLOCK = VCPU_STATE_STRIDE / 4;
const BIGS_PER_BLOCK = VCPU_STATE_STRIDE / 8;
const COUNTERS_BIG_OFFSET = COUNTERS_BYTE_OFFSET / 8;

/** Bytes of a table for `vcpus` vCPUs. */
export function vcpuStateBytes(vcpus: number): number {
  return vcpus * VCPU_STATE_STRIDE;
}

export class VcpuStateTable {
  readonly buffer: SharedArrayBuffer;
  readonly vcpus: number;
  private readonly words: Int32Array;
  private readonly counters64: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    if (
      !(buffer instanceof SharedArrayBuffer) ||
      buffer.byteLength === 0 ||
      buffer.byteLength % VCPU_STATE_STRIDE !== 0
    ) {
      throw AddressSpaceError.invalidArgument('not a shared vCPU state table');
    }
    this.buffer = buffer;
    this.vcpus = buffer.byteLength / VCPU_STATE_STRIDE;
    this.words = new Int32Array(buffer);
    this.counters64 = new BigInt64Array(buffer);
  }

  /** A zeroed table: every vCPU idle, no thread, counters 0. */
  static create(vcpus: number): VcpuStateTable {
    if (!Number.isSafeInteger(vcpus) || vcpus < 1 || vcpus > 1024) {
      throw AddressSpaceError.invalidArgument(
        `vcpus must be an integer in [1, 1024], got ${vcpus}`,
      );
    }
    const table = new VcpuStateTable(new SharedArrayBuffer(vcpuStateBytes(vcpus)));
    for (let i = 0; i < vcpus; i++) table.setThreadId(i, -1);
    return table;
  }

  private word(vcpu: number, k: number): number {
    return vcpu * WORDS_PER_BLOCK + k;
  }

  status(vcpu: number): VcpuStatus {
    return Atomics.load(this.words, this.word(vcpu, kStatus)) as VcpuStatus;
  }

  setStatus(vcpu: number, status: VcpuStatus): void {
    Atomics.store(this.words, this.word(vcpu, kStatus), status);
  }

  /** Owner: asks the vCPU to end its current slice at its next batch boundary. */
  requestStop(vcpu: number): void {
    Atomics.store(this.words, this.word(vcpu, kStopRequest), 1);
  }

  clearStop(vcpu: number): void {
    Atomics.store(this.words, this.word(vcpu, kStopRequest), 0);
  }

  stopRequested(vcpu: number): boolean {
    return Atomics.load(this.words, this.word(vcpu, kStopRequest)) !== 0;
  }

  threadId(vcpu: number): number {
    return Atomics.load(this.words, this.word(vcpu, kThreadId));
  }

  setThreadId(vcpu: number, threadId: number): void {
    Atomics.store(this.words, this.word(vcpu, kThreadId), threadId);
  }

  /** The saved stream-position words (a view: `save`/`restore` write and read it). */
  generatorWords(vcpu: number): { words: Int32Array; at: number; saved: boolean } {
    return {
      words: this.words,
      at: this.word(vcpu, kGeneratorState),
      saved: Atomics.load(this.words, this.word(vcpu, kGeneratorSaved)) === 1,
    };
  }

  /** Owner, between slices: the next slice starts its workload stream from the seed. */
  resetGenerator(vcpu: number): void {
    Atomics.store(this.words, this.word(vcpu, kGeneratorSaved), 0);
  }

  /** Marks the stream position as saved; the store publishes the words written before it. */
  markGeneratorSaved(vcpu: number): void {
    Atomics.store(this.words, this.word(vcpu, kGeneratorSaved), 1);
  }

  /** Worker: copies the vCPU's counters into `into` (indexed by `Counter`). */
  loadCounters(vcpu: number, into: Float64Array): void {
    const base = vcpu * BIGS_PER_BLOCK + COUNTERS_BIG_OFFSET;
    for (let i = 0; i < VCPU_COUNTERS.length; i++) {
      into[i] = Number(Atomics.load(this.counters64, base + i));
    }
  }

  /** Worker: publishes `from` (indexed by `Counter`) as the vCPU's counters. */
  storeCounters(vcpu: number, from: Float64Array): void {
    const base = vcpu * BIGS_PER_BLOCK + COUNTERS_BIG_OFFSET;
    for (let i = 0; i < VCPU_COUNTERS.length; i++) {
      Atomics.store(this.counters64, base + i, BigInt(from[i]!));
    }
  }

  /**
   * Worker: publishes the counters of `from` that differ from `stored` (what this thread
   * last loaded or stored for the vCPU; updated). At a batch end: most counters stay put
   * (faults, exits), so most calls store two or three.
   */
  storeChangedCounters(vcpu: number, from: Float64Array, stored: Float64Array): void {
    const base = vcpu * BIGS_PER_BLOCK + COUNTERS_BIG_OFFSET;
    for (let i = 0; i < VCPU_COUNTERS.length; i++) {
      const value = from[i]!;
      if (value === stored[i]) continue;
      stored[i] = value;
      Atomics.store(this.counters64, base + i, BigInt(value));
    }
  }

  /** Owner: the vCPU's counters now (each may be a millisecond, or one batch, late). */
  counters(vcpu: number): VcpuCounters {
    const base = vcpu * BIGS_PER_BLOCK + COUNTERS_BIG_OFFSET;
    const out = {} as VcpuCounters;
    VCPU_COUNTERS.forEach((name, i) => {
      out[name] = Number(Atomics.load(this.counters64, base + i));
    });
    return out;
  }

  /** Owner: the sum over all vCPUs. */
  totals(): VcpuCounters {
    const out = Object.fromEntries(VCPU_COUNTERS.map((n) => [n, 0])) as VcpuCounters;
    for (let v = 0; v < this.vcpus; v++) {
      const c = this.counters(v);
      for (const name of VCPU_COUNTERS) out[name] += c[name];
    }
    return out;
  }
}
