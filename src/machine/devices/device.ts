/**
 * What every built-in device model is: a register file behind a region's `RegionOps`.
 *
 * A device model decodes accesses at region-relative offsets and keeps its own state. It
 * never changes the region tree, except a ROM device flipping its own romd mode the way
 * QEMU's pflash does. Building regions around devices is the builder's job (build.ts,
 * pc.ts), not the device's.
 */
import type { RegionOps } from '../../core/types.js';

/** The built-in models, and `module`: a device plug-in (devices/plugin.ts). */
export type DeviceModelName = 'uart16550' | 'pflash' | 'virtio-mmio' | 'module';
export const DEVICE_MODEL_NAMES: readonly DeviceModelName[] = [
  'uart16550',
  'pflash',
  'virtio-mmio',
];

/**
 * An access that a workload may make to a device at any time, from any number of vCPUs at
 * once, without disturbing it. `expect` is the value a read always returns; a write's
 * `value` is what to write (and `ioeventfd` says whether an ioeventfd swallows it, so it
 * costs no exit while the ioeventfd is in place).
 */
export type DeviceProbe =
  | { kind: 'read'; offset: number; size: 1 | 2 | 4 | 8; expect?: number; what: string }
  | {
      kind: 'write';
      offset: number;
      size: 1 | 2 | 4 | 8;
      value: number;
      ioeventfd: boolean;
      what: string;
    };

export interface DeviceModel extends RegionOps {
  readonly model: DeviceModelName;
  /** Size of the register window: the size of the device's region. */
  readonly size: number;
  /** Safe accesses for workloads (see `DeviceProbe`). */
  probes(): readonly DeviceProbe[];
}

/** Little-endian value of up to 8 bytes (`data.length` ≤ 6 stays exact as a number). */
export function readLe(data: Uint8Array): number {
  let value = 0;
  for (let i = data.length - 1; i >= 0; i--) value = value * 256 + data[i]!;
  return value;
}

/** Stores the low `data.length` bytes of `value` little-endian into `data`. */
export function writeLe(data: Uint8Array, value: number): void {
  let rest = value;
  for (let i = 0; i < data.length; i++) {
    data[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}
