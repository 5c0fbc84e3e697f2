/**
 * The per-vCPU MMIO mailbox: how a vCPU hands an access to an IO region (or a RomDevice
 * with romd off) to the owner and waits for the answer, like a KVM_EXIT_MMIO that is
 * completed before the vCPU resumes.
 *
 * Roles: the vCPU thread is the only one that posts (`MmioMailboxClient`); the owner
 * thread is the only one that answers (`MmioMailboxPort`, driven by `mmio-server.ts`).
 * The vCPU blocks in `Atomics.wait`; the owner waits with `Atomics.waitAsync`, so its
 * event loop never blocks. One request is in flight per vCPU at a time, so requests of
 * one vCPU are served in program order. This module moves bytes; it never resolves
 * regions or runs device callbacks.
 *
 * Layout (one SharedArrayBuffer per vCPU):
 *
 * | byte | field          | written by | meaning                                        |
 * |------|----------------|------------|------------------------------------------------|
 * | 0    | kRequestSeq    | vCPU       | int32, +1 per request; the store publishes it  |
 * | 4    | kResponseSeq   | owner      | int32, = the answered request's seq; publishes |
 * | 8    | kRegionId      | vCPU       | int32                                          |
 * | 12   | kSize          | vCPU       | int32 bytes in this request                    |
 * | 16   | kIsWrite       | vCPU       | int32 0 / 1                                    |
 * | 20   | kResult        | owner      | int32 1 = done, 0 = the device failed          |
 * | 24   | kClosed        | owner      | int32 1 once the owner stopped serving         |
 * | 32   | kRegionBase    | vCPU       | float64                                        |
 * | 40   | kOffset        | vCPU       | float64                                        |
 * | 64   | data           | both       | `MMIO_DATA_CAPACITY` bytes                     |
 *
 * Order: the vCPU writes the fields and data, then stores kRequestSeq; the owner loads
 * kRequestSeq before reading any field. The owner writes kResult and read data, then
 * stores kResponseSeq; the vCPU loads kResponseSeq before reading them.
 */
import { AddressSpaceError } from '../../base/errors.js';
import type { MmioExitHandler } from '../reader/reader-api.js';
import type { SampleRing } from './sampler.js';

const kRequestSeq = 0;
const kResponseSeq = 1;
const kRegionId = 2;
const kSize = 3;
const kIsWrite = 4;
const kResult = 5;
const kClosed = 6;
const kRegionBaseF64 = 4; // byte 32
const kOffsetF64 = 5; // byte 40
const DATA_BYTE_OFFSET = 64;

/** The largest single request; a longer access is posted as consecutive chunks. */
export const MMIO_DATA_CAPACITY = 256;
const MAILBOX_BYTES = DATA_BYTE_OFFSET + MMIO_DATA_CAPACITY;

/** Creates an empty mailbox buffer. */
export function createMmioMailbox(): SharedArrayBuffer {
  return new SharedArrayBuffer(MAILBOX_BYTES);
}

function checkMailbox(buffer: SharedArrayBuffer): void {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== MAILBOX_BYTES) {
    throw AddressSpaceError.invalidArgument('not a shared MMIO mailbox');
  }
}

/** The vCPU side: posts an exit and blocks until the owner answered it. */
export class MmioMailboxClient {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly data: Uint8Array;
  /** Optional: each round trip's latency in microseconds. */
  private readonly latencies: SampleRing | undefined;
  /** Called with true before blocking and false after (status for the owner's view). */
  private readonly onWait: ((waiting: boolean) => void) | undefined;
  exits = 0;

  constructor(
    buffer: SharedArrayBuffer,
    latencies?: SampleRing,
    onWait?: (waiting: boolean) => void,
  ) {
    checkMailbox(buffer);
    this.words = new Int32Array(buffer, 0, DATA_BYTE_OFFSET / 4);
    this.floats = new Float64Array(buffer, 0, DATA_BYTE_OFFSET / 8);
    this.data = new Uint8Array(buffer, DATA_BYTE_OFFSET, MMIO_DATA_CAPACITY);
    this.latencies = latencies;
    this.onWait = onWait;
  }

  /** `handler` in the shape the reader wants (`SharedViewReader.setMmioHandler`). */
  readonly handler: MmioExitHandler = (regionId, regionBase, offset, data, isWrite) =>
    this.exit(regionId, regionBase, offset, data, isWrite);

  /**
   * Posts one access and waits for its completion; returns false when the device failed it
   * or the owner has closed the mailbox. An access longer than `MMIO_DATA_CAPACITY` goes as
   * consecutive chunks and stops at the first failing one.
   */
  exit(
    regionId: number,
    regionBase: number,
    offset: number,
    data: Uint8Array,
    isWrite: boolean,
  ): boolean {
    if (data.length <= MMIO_DATA_CAPACITY) {
      return this.post(regionId, regionBase, offset, data, isWrite);
    }
    for (let done = 0; done < data.length; done += MMIO_DATA_CAPACITY) {
      const chunk = data.subarray(done, Math.min(done + MMIO_DATA_CAPACITY, data.length));
      if (!this.post(regionId, regionBase, offset + done, chunk, isWrite)) return false;
    }
    return true;
  }

  private post(
    regionId: number,
    regionBase: number,
    offset: number,
    data: Uint8Array,
    isWrite: boolean,
  ): boolean {
    const w = this.words;
    if (Atomics.load(w, kClosed) !== 0) return false;
    const started = this.latencies === undefined ? 0 : performance.now();
    w[kRegionId] = regionId;
    w[kSize] = data.length;
    w[kIsWrite] = isWrite ? 1 : 0;
    this.floats[kRegionBaseF64] = regionBase;
    this.floats[kOffsetF64] = offset;
    if (isWrite) this.data.set(data);
    const seq = (Atomics.load(w, kRequestSeq) + 1) | 0;
    Atomics.store(w, kRequestSeq, seq); // publishes the request
    Atomics.notify(w, kRequestSeq);
    this.exits++;
    this.onWait?.(true);
    for (;;) {
      const answered = Atomics.load(w, kResponseSeq);
      if (answered === seq) break;
      if (Atomics.load(w, kClosed) !== 0) {
        this.onWait?.(false);
        return false;
      }
      Atomics.wait(w, kResponseSeq, answered);
    }
    this.onWait?.(false);
    const ok = w[kResult] === 1;
    if (ok && !isWrite) data.set(this.data.subarray(0, data.length));
    if (this.latencies !== undefined) this.latencies.push1((performance.now() - started) * 1000);
    return ok;
  }
}

/** One request as the owner sees it. `data` is a view into the mailbox: copy what you keep. */
export interface MmioRequest {
  readonly seq: number;
  readonly regionId: number;
  readonly regionBase: number;
  readonly offset: number;
  readonly isWrite: boolean;
  readonly data: Uint8Array;
}

/** The owner side of one mailbox. */
export class MmioMailboxPort {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly bytes: Uint8Array;
  private answered: number;

  constructor(buffer: SharedArrayBuffer) {
    checkMailbox(buffer);
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, DATA_BYTE_OFFSET / 4);
    this.floats = new Float64Array(buffer, 0, DATA_BYTE_OFFSET / 8);
    this.bytes = new Uint8Array(buffer, DATA_BYTE_OFFSET, MMIO_DATA_CAPACITY);
    this.answered = Atomics.load(this.words, kResponseSeq);
  }

  get closed(): boolean {
    return Atomics.load(this.words, kClosed) !== 0;
  }

  /** The posted, unanswered request, or undefined. */
  pending(): MmioRequest | undefined {
    const seq = Atomics.load(this.words, kRequestSeq); // observes the request's fields
    if (seq === this.answered) return undefined;
    const w = this.words;
    return {
      seq,
      regionId: w[kRegionId]!,
      regionBase: this.floats[kRegionBaseF64]!,
      offset: this.floats[kOffsetF64]!,
      isWrite: w[kIsWrite] === 1,
      data: this.bytes.subarray(0, w[kSize]!),
    };
  }

  /** Completes `request`; for a read, its `data` must hold the bytes read. */
  answer(request: MmioRequest, ok: boolean): void {
    Atomics.store(this.words, kResult, ok ? 1 : 0);
    this.answered = request.seq;
    Atomics.store(this.words, kResponseSeq, request.seq); // publishes result and data
    Atomics.notify(this.words, kResponseSeq);
  }

  /** Resolves when a request may be pending (or the mailbox was closed). Never blocks. */
  async nextRequest(): Promise<void> {
    for (;;) {
      const seq = Atomics.load(this.words, kRequestSeq);
      if (seq !== this.answered || this.closed) return;
      const r = Atomics.waitAsync(this.words, kRequestSeq, seq);
      if (r.async) await r.value;
    }
  }

  /** Stops serving: wakes the owner's waiter and fails any vCPU that posts or waits. */
  close(): void {
    Atomics.store(this.words, kClosed, 1);
    Atomics.notify(this.words, kRequestSeq);
    Atomics.notify(this.words, kResponseSeq);
  }
}
