/** The public surface of addrspace. Re-exports only. */
export { ADDRESS_LIMIT, type AddressRange } from './core/address.js';
export { AddressSpaceError, type ErrorCode } from './core/errors.js';
export type {
  AddressAttr,
  ListenerReqType,
  RegionIoEventFd,
  RegionOps,
  RegionType,
} from './core/types.js';
export { EventFd, type SharedEventFdDescriptor } from './host/event-fd.js';
export { HostMemory, hostMemory } from './host/host-memory.js';
export { HostMemMapping, type HostMemMappingOptions } from './host/mapping.js';
export type { SharedMappingDescriptor } from './host/window.js';
