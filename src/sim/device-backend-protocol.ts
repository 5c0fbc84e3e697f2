/**
 * The device backend's control protocol (comlink calls between the owner and the backend
 * worker) and the layout of what it DMAs in guest RAM, written once.
 *
 * Each virtio device with a queue area gets, in that area of guest RAM:
 *
 * | byte offset         | what                                                          |
 * |---------------------|---------------------------------------------------------------|
 * | kRequestOffset      | request: `REQUEST_WORDS` uint32, little-endian                 |
 * |   word 0            | `REQUEST_MAGIC`                                                |
 * |   word 1            | the device's index in the backend                              |
 * |   words 2 .. 14     | payload, from the run's seed                                   |
 * |   word 15           | checksum: xor of words 0..14 with `CHECKSUM_SALT`              |
 * | kCompletionOffset   | completion: `COMPLETION_WORDS` uint32, little-endian           |
 * |   word 0            | `COMPLETION_MAGIC`                                             |
 * |   word 1            | requests served so far                                         |
 * |   word 2            | doorbell signals consumed so far (low 32 bits)                 |
 * |   word 3            | checksum: xor of words 0..2 with `CHECKSUM_SALT`               |
 *
 * The owner writes the request before the backend starts (the guest driver's part); the
 * backend reads it whole on every doorbell and writes a completion, like a vhost-user
 * backend serving a virtqueue. Types, constants and two pure helpers; no behaviour.
 */
import type { ReaderHandle } from '../concurrent/reader/reader-api.js';
import type { SharedEventFdDescriptor } from '../host/event-fd.js';
import type { ViolationKind } from './report-types.js';

export const kRequestOffset = 0;
export const REQUEST_WORDS = 16;
export const kCompletionOffset = kRequestOffset + REQUEST_WORDS * 4;
export const COMPLETION_WORDS = 4;
/** Bytes of a queue area the backend uses. */
export const DMA_AREA_BYTES = kCompletionOffset + COMPLETION_WORDS * 4;

export const REQUEST_MAGIC = 0x51455256; // "VREQ"
export const COMPLETION_MAGIC = 0x504d4f43; // "COMP"
export const CHECKSUM_SALT = 0xa5a5a5a5;

/** Xor of `words[0 .. count)` with the salt, as a uint32. */
export function checksumOf(words: ArrayLike<number>, count: number): number {
  let sum = CHECKSUM_SALT;
  for (let i = 0; i < count; i++) sum ^= words[i]!;
  return sum >>> 0;
}

/** One device the backend serves. */
export interface BackendDevice {
  readonly name: string;
  /** Its doorbell EventFds, one per queue. */
  readonly notify: readonly SharedEventFdDescriptor[];
  /** Guest-physical base of its queue area. */
  readonly gpa: number;
}

export interface BackendStartConfig {
  readonly handle: ReaderHandle;
  readonly devices: readonly BackendDevice[];
  /** A translation sample every this many DMA requests (0: none). */
  readonly sampleEvery: number;
  /** The poison word to look for in requests, or -1. */
  readonly poisonWord: number;
  /** Longest wait on a doorbell before looking at the stop flag again, in ms. */
  readonly pollMs: number;
}

/** A translation the backend's reader made, for the owner's checker. */
export interface BackendSample {
  readonly generation: number;
  readonly gpa: number;
  readonly regionId: number;
  readonly hostAddress: number;
}

/** Something the backend found wrong in what it read. */
export interface BackendViolation {
  readonly kind: ViolationKind;
  readonly device: string;
  readonly generation: number;
  readonly gpa: number;
  readonly expected: string;
  readonly actual: string;
  readonly detail: string;
  /** Wall-clock ms (`performance.timeOrigin + performance.now()`). */
  readonly at: number;
}

/** What the backend did since the last drain (samples, violations) and in all (counters). */
export interface BackendReport {
  /** Guest memory accesses made by DMA: one request read plus one completion write each. */
  readonly dmaOps: number;
  readonly requests: number;
  /** Requests served per device, in device order. */
  readonly requestsByDevice: readonly number[];
  /** Doorbell signals consumed. */
  readonly signals: number;
  /** DMA accesses that failed with an `AddressSpaceError` (other than `ReaderFault`). */
  readonly faults: number;
  /** Times the backend attached a fresh reader after a `ReaderFault`. */
  readonly reattached: number;
  /** Requests read intact (checked). */
  readonly checked: number;
  readonly samples: readonly BackendSample[];
  readonly violations: readonly BackendViolation[];
}

/** The API the backend worker exposes through comlink. */
export interface DeviceBackendApi {
  /**
   * Starts serving every device's doorbells. `requestHandle` gives a fresh reader handle
   * (after a `ReaderFault`); the backend releases it when it stops.
   */
  start(config: BackendStartConfig, requestHandle: () => ReaderHandle): Promise<void>;
  /** Counters so far, and the samples and violations since the last drain. */
  drain(): BackendReport;
  /** Stops serving (the reader goes offline for good) and returns the final drain. */
  stop(): Promise<BackendReport>;
}
