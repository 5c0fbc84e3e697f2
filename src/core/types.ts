/**
 * The string enums and plain data shapes of the model (SPEC 3-5), shared by every layer.
 * Only types and constant tables live here: no behaviour.
 */

import type { AddressRange } from '../base/address.js';
import type { EventFd } from '../host/event-fd.js';

/** StratoVirt's `RegionType` variant names. */
export type RegionType = 'Ram' | 'IO' | 'Container' | 'RomDevice' | 'RamDevice' | 'Alias';
export const REGION_TYPES: readonly RegionType[] = [
  'Ram',
  'IO',
  'Container',
  'RomDevice',
  'RamDevice',
  'Alias',
];

/** What a listener is told: a range or an ioeventfd added or deleted. */
export type ListenerReqType = 'AddRegion' | 'DeleteRegion' | 'AddIoeventfd' | 'DeleteIoeventfd';

/**
 * What kind of access an `AddressSpace` read or write is (StratoVirt's `AddressAttr`):
 * `Ram` (RAM only), `MMIO` (any region, devices included), `RamDevice`, `RomDevice`, or
 * `RomDeviceForce` (a ROM device's memory even with romd off).
 */
export type AddressAttr = 'Ram' | 'MMIO' | 'RamDevice' | 'RomDevice' | 'RomDeviceForce';
export const ADDRESS_ATTRS: readonly AddressAttr[] = [
  'Ram',
  'MMIO',
  'RamDevice',
  'RomDevice',
  'RomDeviceForce',
];

/**
 * Device callbacks of an IO or ROM-device region. `regionBase` is the guest address the
 * access resolved to minus `offset`. Returning `false` or throwing fails the access with
 * `IoAccess`. `maxAccessSize` splits larger accesses into chunks.
 */
export interface RegionOps {
  read(data: Uint8Array, regionBase: number, offset: number): boolean;
  write(data: Uint8Array, regionBase: number, offset: number): boolean;
  maxAccessSize?: number;
}

/** An ioeventfd of a region: `addrRange` is region-relative. A plain object. */
export interface RegionIoEventFd {
  addrRange: AddressRange;
  dataMatch: boolean;
  data: bigint;
  fd: EventFd;
}
