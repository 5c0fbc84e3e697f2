/**
 * The block a workload's accesses are generated into (`AccessGenerator.fill`) and the
 * constants that describe one access: its kind (read or write) and its target (RAM or an
 * MMIO target's index). Plain typed arrays, allocated once per block and reused.
 */
import { AddressSpaceError } from '../../base/errors.js';

/** `AccessGenerator.target` and `AccessBlock.target` when the access goes to RAM. */
export const RAM_ACCESS = -1;

/** `AccessBlock.kind` of a read. */
export const ACCESS_READ = 0;
/** `AccessBlock.kind` of a write. */
export const ACCESS_WRITE = 1;

/**
 * A block of generated accesses, structure of arrays: access i is `gpa[i]`, `size[i]`
 * bytes, `kind[i]` (ACCESS_READ or ACCESS_WRITE), to `target[i]` (RAM_ACCESS or the MMIO
 * target's index); a write stores `value[i]` (low 32 bits) and, when 8 bytes wide,
 * `valueHigh[i]` (high 32 bits). `value` and `valueHigh` mean nothing for a read, nor
 * `valueHigh` for a narrower write. `length` accesses are valid.
 *
 * `uniformSize` is the access size when every entry of `size` holds it and every entry
 * of `target` is RAM_ACCESS (for the whole capacity), else 0: a fill of a RAM-only
 * workload then leaves those two arrays as they are, and a reader may skip them.
 */
export class AccessBlock {
  readonly capacity: number;
  length = 0;
  uniformSize = 0;
  readonly gpa: Float64Array;
  readonly size: Uint8Array;
  readonly kind: Uint8Array;
  readonly target: Int32Array;
  readonly value: Uint32Array;
  readonly valueHigh: Uint32Array;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw AddressSpaceError.invalidArgument(
        `access block capacity must be a positive integer, got ${capacity}`,
      );
    }
    this.capacity = capacity;
    this.gpa = new Float64Array(capacity);
    this.size = new Uint8Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.target = new Int32Array(capacity);
    this.value = new Uint32Array(capacity);
    this.valueHigh = new Uint32Array(capacity);
  }
}
