/**
 * The stalled-reader scenario on a vCPU (SPEC 7, `run --stall MS`): the pool's `stall`
 * option, checked, and what the stalled vCPU's slice does when a stall is due: one 4-byte
 * read of a RAM address the workload just used, armed with `stallNextRead` so that it
 * stops inside the access (range resolved, nothing copied yet, holding what the strategy
 * holds during an access), then copies and checks the word for poison.
 *
 * It stops one reader on purpose; it never decides when slices run (the slice asks
 * whether a stall is due, the pool says which vCPU stalls).
 */
import { AddressSpaceError } from '../../base/errors.js';
import type { SharedViewReader } from '../reader/reader-api.js';

/** vCPU `vcpu` stops inside one RAM read for `ms` milliseconds every `everyMs`. */
export interface VcpuStall {
  readonly vcpu: number;
  readonly ms: number;
  readonly everyMs: number;
}

function positiveInteger(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw AddressSpaceError.invalidArgument(`${path}: must be a positive integer of ms`);
  }
  return v;
}

/** Checks the pool's `stall` option for a pool of `vcpus`; throws InvalidArgument. */
export function resolveVcpuStall(stall: unknown, vcpus: number): VcpuStall | undefined {
  if (stall === undefined) return undefined;
  if (typeof stall !== 'object' || stall === null) {
    throw AddressSpaceError.invalidArgument('stall: must be { vcpu, ms, everyMs }');
  }
  const s = stall as Partial<VcpuStall>;
  if (typeof s.vcpu !== 'number' || !Number.isInteger(s.vcpu) || s.vcpu < 0 || s.vcpu >= vcpus) {
    throw AddressSpaceError.invalidArgument(`stall.vcpu: must be a vCPU from 0 to ${vcpus - 1}`);
  }
  return {
    vcpu: s.vcpu,
    ms: positiveInteger(s.ms, 'stall.ms'),
    everyMs: positiveInteger(s.everyMs, 'stall.everyMs'),
  };
}

/**
 * What a stall did: stopped and read, read the poison word, faulted (`ReaderFault`: the
 * slice ends), or was refused before stopping (the range went away: tried again later).
 */
export const StallResult = { Done: 0, Poison: 1, Fault: 2, Refused: 3 } as const;
export type StallResult = (typeof StallResult)[keyof typeof StallResult];

const stallBytes = new Uint8Array(4);
const stallView = new DataView(stallBytes.buffer);

/**
 * Stops inside one 4-byte read at `gpa` for `ms` milliseconds, then reads the word; a
 * `poison` word (>= 0) read then is reported as `Poison`.
 */
export function stallInsideRead(
  memory: Pick<SharedViewReader, 'read' | 'stallNextRead'>,
  gpa: number,
  ms: number,
  poison: number,
): StallResult {
  memory.stallNextRead(ms);
  try {
    memory.read(gpa, stallBytes);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === undefined) throw e;
    return code === 'ReaderFault' ? StallResult.Fault : StallResult.Refused;
  } finally {
    memory.stallNextRead(0);
  }
  return poison >= 0 && stallView.getUint32(0, true) === poison
    ? StallResult.Poison
    : StallResult.Done;
}
