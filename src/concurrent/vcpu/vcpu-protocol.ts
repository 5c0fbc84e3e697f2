/**
 * The vCPU worker protocol, in one place: what a slice task carries to a pool thread and
 * the exit record it returns (the `KVM_RUN` call and its `kvm_run` exit, in effect).
 *
 * Everything here is plain, structured-cloneable data: shared buffers and numbers. Types
 * only, plus the exit reasons; no behaviour.
 */

import type { ReaderHandle } from '../reader/reader-api.js';
import type { RawMemoryHandle } from './raw-memory.js';
import type { WorkloadDescription } from './workload.js';

/** Which guest memory the vCPU drives: a published address space, or raw memory. */
export type VcpuMemorySpec =
  | { readonly kind: 'shared'; readonly handle: ReaderHandle }
  | { readonly kind: 'raw'; readonly handle: RawMemoryHandle };

export interface SliceBudget {
  /** The slice ends after this many accesses (checked per batch). */
  readonly maxAccesses: number;
  /** ... or after this many milliseconds (checked per batch). */
  readonly maxMs: number;
}

export interface VcpuSliceTask {
  /** Distinguishes pools in one process: a thread caches its attachments per pool and vCPU. */
  readonly poolId: string;
  readonly vcpu: number;
  /** Slice number of this vCPU, from 0. */
  readonly slice: number;
  readonly stateBuffer: SharedArrayBuffer;
  readonly mailbox: SharedArrayBuffer;
  readonly sampleRing: SharedArrayBuffer;
  readonly latencyRing: SharedArrayBuffer;
  readonly memory: VcpuMemorySpec;
  readonly workload: WorkloadDescription;
  readonly budget: SliceBudget;
  /** Accesses between quiescent points (at most 1024: the adoption bound). */
  readonly batch: number;
  /** A translation sample every this many accesses; 0 turns sampling off. */
  readonly sampleEvery: number;
  /** A uint32 that retired memory is filled with, or -1 to not check reads for poison. */
  readonly poisonWord: number;
  /**
   * Self-checking memory (`--verify all`): every RAM access goes through the reader's
   * verified path (memory-tags.ts) and varies its size and alignment. Absent: off.
   */
  readonly verify?: boolean;
}

/**
 * Why a slice ended: its access budget, its time, the owner's stop request, or a
 * `ReaderFault` (evicted, or told of a buffer it never saw: the next slice attaches anew).
 */
export type SliceExitReason = 'budget' | 'time' | 'stopped' | 'fault';

/** What one slice did. Counter fields are this slice's deltas. */
export interface VcpuSliceExit {
  readonly vcpu: number;
  readonly slice: number;
  readonly threadId: number;
  readonly reason: SliceExitReason;
  readonly accesses: number;
  readonly reads: number;
  readonly writes: number;
  readonly mmioExits: number;
  readonly ioeventfdSignals: number;
  readonly faults: number;
  readonly poisonReads: number;
  /** Generation the reader held when the slice began and when it ended. */
  readonly startGeneration: number;
  readonly endGeneration: number;
  /** `performance.timeOrigin + performance.now()` at the start, in ms. */
  readonly startedAt: number;
  readonly durationMs: number;
}
