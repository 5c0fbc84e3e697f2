/**
 * A virtio-mmio (version 2, "modern") transport register block with ioeventfd doorbells.
 *
 * Registers (32-bit, aligned; SPEC of virtio 1.2 section 4.2.2):
 * | off   | name                   | here                                             |
 * |-------|------------------------|--------------------------------------------------|
 * | 0x000 | MagicValue (R)         | 0x74726976 ("virt")                              |
 * | 0x004 | Version (R)            | 2                                                |
 * | 0x008 | DeviceID (R)           | option `deviceId` (1 net, 2 block, 4 entropy...) |
 * | 0x00C | VendorID (R)           | option `vendorId`, default 0x554D4551 ("QEMU")   |
 * | 0x010 | DeviceFeatures (R)     | word `DeviceFeaturesSel` of `deviceFeatures`     |
 * | 0x014 | DeviceFeaturesSel (W)  |                                                  |
 * | 0x020 | DriverFeatures (W)     | word `DriverFeaturesSel`                         |
 * | 0x024 | DriverFeaturesSel (W)  |                                                  |
 * | 0x030 | QueueSel (W)           |                                                  |
 * | 0x034 | QueueNumMax (R)        | option `queueNumMax` (0 for a missing queue)     |
 * | 0x038 | QueueNum (W)           |                                                  |
 * | 0x044 | QueueReady (RW)        |                                                  |
 * | 0x050 | QueueNotify (W)        | covered by one ioeventfd per queue (data = index)|
 * | 0x060 | InterruptStatus (R)    | set by `raiseInterrupt` (device backend)          |
 * | 0x064 | InterruptACK (W)       | clears the written bits                          |
 * | 0x070 | Status (RW)            | writing 0 resets the device                      |
 * | 0x080 | QueueDescLow/High      | per selected queue, 0x080/0x084                  |
 * | 0x090 | QueueDriverLow/High    | 0x090/0x094                                      |
 * | 0x0A0 | QueueDeviceLow/High    | 0x0A0/0x0A4                                      |
 * | 0x0FC | ConfigGeneration (R)   | 0                                                |
 * | 0x100 | Config (RW, any width) | `configSize` bytes, zero-filled; writes stored   |
 * Other control offsets read 0 and ignore writes; a control access that is not 4 bytes
 * wide and aligned fails (`false`, hence `IoAccess`), as the virtio spec forbids it.
 *
 * A QueueNotify write with a queue index is matched by that queue's ioeventfd in the
 * address space (owner or vCPU) and never reaches `write` here. If the ioeventfds were
 * removed (churn), the write is an MMIO exit and lands here: the model signals the same
 * EventFd and counts it in `exitNotifies`, so a backend sees every notify either way.
 * The `queue` option names the guest RAM area a device backend DMAs into; the model does
 * not walk virtqueues (that is the backend's job).
 */
import type { RegionIoEventFd } from '../../core/types.js';
import { EventFd, type SharedEventFdDescriptor } from '../../host/event-fd.js';
import { type DeviceModel, type DeviceProbe, readLe, writeLe } from './device.js';

export const VIRTIO_MMIO_SIZE = 0x200;
/** The virtio-mmio magic value, "virt" little-endian, read at offset 0. */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
export const VIRTIO_MMIO_VERSION = 2;
export const VIRTIO_VENDOR_QEMU = 0x554d4551;
/** VIRTIO_F_VERSION_1 (feature bit 32). */
export const VIRTIO_F_VERSION_1 = 1n << 32n;

export const kMagicValue = 0x000;
export const kVersion = 0x004;
export const kDeviceId = 0x008;
export const kVendorId = 0x00c;
export const kDeviceFeatures = 0x010;
export const kDeviceFeaturesSel = 0x014;
export const kDriverFeatures = 0x020;
export const kDriverFeaturesSel = 0x024;
export const kQueueSel = 0x030;
export const kQueueNumMax = 0x034;
export const kQueueNum = 0x038;
export const kQueueReady = 0x044;
export const kQueueNotify = 0x050;
export const kInterruptStatus = 0x060;
export const kInterruptAck = 0x064;
export const kStatus = 0x070;
export const kQueueDescLow = 0x080;
export const kQueueDescHigh = 0x084;
export const kQueueDriverLow = 0x090;
export const kQueueDriverHigh = 0x094;
export const kQueueDeviceLow = 0x0a0;
export const kQueueDeviceHigh = 0x0a4;
export const kConfigGeneration = 0x0fc;
export const kConfig = 0x100;

const MAX_QUEUES = 8;
const REGISTER_BYTES = 4;

/** Guest RAM that a device backend owns for DMA (descriptor rings and buffers). */
export interface VirtioQueueArea {
  readonly gpa: number;
  readonly size: number;
}

export interface VirtioMmioOptions {
  deviceId: number;
  vendorId?: number;
  /** Virtqueues, each with its own doorbell ioeventfd. 1 to 8, default 1. */
  numQueues?: number;
  queueNumMax?: number;
  deviceFeatures?: bigint;
  /** Bytes of device config space at 0x100 (at most 0x100). Default 0x100. */
  configSize?: number;
  queue?: VirtioQueueArea;
}

interface QueueState {
  num: number;
  ready: number;
  /** Desc, driver, device addresses as 32-bit halves: [low, high] each. */
  addresses: Uint32Array;
}

/** What a device backend thread needs (structured-cloneable). */
export interface VirtioBackendDescriptor {
  readonly deviceId: number;
  readonly notify: readonly SharedEventFdDescriptor[];
  readonly queue: VirtioQueueArea | undefined;
}

/**
 * A virtio-mmio transport (version 2) device model: the 0x200-byte register window,
 * feature negotiation, queue setup and one doorbell ioeventfd per queue (QueueNotify),
 * which a device backend serves by DMA.
 */
export class VirtioMmio implements DeviceModel {
  readonly model = 'virtio-mmio';
  readonly size = VIRTIO_MMIO_SIZE;
  readonly deviceId: number;
  readonly vendorId: number;
  readonly numQueues: number;
  readonly queueNumMax: number;
  readonly deviceFeatures: bigint;
  readonly queueArea: VirtioQueueArea | undefined;
  /** One doorbell EventFd per queue. */
  readonly notifyFds: readonly EventFd[];
  private readonly config: Uint8Array;
  private readonly queues: QueueState[];
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private readonly driverFeatureWords = new Uint32Array(2);
  private queueSel = 0;
  private interruptStatus = 0;
  private status = 0;
  /** QueueNotify writes that reached the model (no ioeventfd matched): MMIO exits. */
  exitNotifies = 0;
  /** QueueNotify writes naming a queue that does not exist. */
  invalidNotifies = 0;

  constructor(options: VirtioMmioOptions) {
    this.deviceId = options.deviceId;
    this.vendorId = options.vendorId ?? VIRTIO_VENDOR_QEMU;
    this.numQueues = Math.min(Math.max(options.numQueues ?? 1, 1), MAX_QUEUES);
    this.queueNumMax = options.queueNumMax ?? 256;
    this.deviceFeatures = options.deviceFeatures ?? VIRTIO_F_VERSION_1;
    this.queueArea = options.queue;
    this.config = new Uint8Array(Math.min(options.configSize ?? 0x100, VIRTIO_MMIO_SIZE - kConfig));
    this.notifyFds = Array.from({ length: this.numQueues }, () => new EventFd());
    this.queues = Array.from({ length: this.numQueues }, () => ({
      num: 0,
      ready: 0,
      addresses: new Uint32Array(6),
    }));
  }

  /** The doorbell ioeventfds to install on this device's region (region-relative). */
  ioeventfds(): RegionIoEventFd[] {
    return this.notifyFds.map((fd, index) => ({
      addrRange: { base: kQueueNotify, size: REGISTER_BYTES },
      dataMatch: true,
      data: BigInt(index),
      fd,
    }));
  }

  backendDescriptor(): VirtioBackendDescriptor {
    return {
      deviceId: this.deviceId,
      notify: this.notifyFds.map((fd) => fd.describe()),
      queue: this.queueArea,
    };
  }

  /** Sets InterruptStatus bits (1: used buffer, 2: config change), as a backend does. */
  raiseInterrupt(bits = 1): void {
    this.interruptStatus |= bits & 0x3;
  }

  get deviceStatus(): number {
    return this.status;
  }

  /** The driver's negotiated features (both words). */
  get driverFeatures(): bigint {
    return (BigInt(this.driverFeatureWords[1]!) << 32n) | BigInt(this.driverFeatureWords[0]!);
  }

  probes(): readonly DeviceProbe[] {
    return [
      { kind: 'read', offset: kMagicValue, size: 4, expect: VIRTIO_MMIO_MAGIC, what: 'MagicValue' },
      { kind: 'read', offset: kVersion, size: 4, expect: VIRTIO_MMIO_VERSION, what: 'Version' },
      { kind: 'read', offset: kDeviceId, size: 4, expect: this.deviceId, what: 'DeviceID' },
      {
        kind: 'write',
        offset: kQueueNotify,
        size: 4,
        value: 0,
        ioeventfd: true,
        what: 'QueueNotify',
      },
    ];
  }

  read(data: Uint8Array, _regionBase: number, offset: number): boolean {
    if (offset >= kConfig) return this.accessConfig(data, offset, false);
    if (!isRegisterAccess(data, offset)) return false;
    writeLe(data, this.readRegister(offset));
    return true;
  }

  write(data: Uint8Array, _regionBase: number, offset: number): boolean {
    if (offset >= kConfig) return this.accessConfig(data, offset, true);
    if (!isRegisterAccess(data, offset)) return false;
    this.writeRegister(offset, readLe(data));
    return true;
  }

  private readRegister(offset: number): number {
    const queue = this.queues[this.queueSel];
    switch (offset) {
      case kMagicValue:
        return VIRTIO_MMIO_MAGIC;
      case kVersion:
        return VIRTIO_MMIO_VERSION;
      case kDeviceId:
        return this.deviceId;
      case kVendorId:
        return this.vendorId;
      case kDeviceFeatures:
        return this.deviceFeaturesSel > 1
          ? 0
          : Number((this.deviceFeatures >> BigInt(32 * this.deviceFeaturesSel)) & 0xffffffffn);
      case kQueueNumMax:
        return queue === undefined ? 0 : this.queueNumMax;
      case kQueueReady:
        return queue?.ready ?? 0;
      case kInterruptStatus:
        return this.interruptStatus;
      case kStatus:
        return this.status;
      default:
        return 0; // Write-only and reserved registers, and ConfigGeneration (always 0).
    }
  }

  private writeRegister(offset: number, value: number): void {
    const queue = this.queues[this.queueSel];
    switch (offset) {
      case kDeviceFeaturesSel:
        this.deviceFeaturesSel = value;
        return;
      case kDriverFeatures:
        if (this.driverFeaturesSel < 2) this.driverFeatureWords[this.driverFeaturesSel] = value;
        return;
      case kDriverFeaturesSel:
        this.driverFeaturesSel = value;
        return;
      case kQueueSel:
        this.queueSel = value;
        return;
      case kQueueNum:
        if (queue !== undefined) queue.num = Math.min(value, this.queueNumMax);
        return;
      case kQueueReady:
        if (queue !== undefined) queue.ready = value & 1;
        return;
      case kQueueNotify:
        this.notifyThroughExit(value);
        return;
      case kInterruptAck:
        this.interruptStatus &= ~value;
        return;
      case kStatus:
        if (value === 0) this.reset();
        else this.status = value & 0xff;
        return;
      case kQueueDescLow:
      case kQueueDescHigh:
      case kQueueDriverLow:
      case kQueueDriverHigh:
      case kQueueDeviceLow:
      case kQueueDeviceHigh:
        if (queue !== undefined) queue.addresses[queueAddressIndex(offset)] = value;
        return;
      default: // Read-only and reserved registers ignore writes.
        return;
    }
  }

  /** The selected queue's ring addresses: desc, driver (avail), device (used). */
  queueAddresses(index: number): { desc: number; driver: number; device: number } | undefined {
    const queue = this.queues[index];
    if (queue === undefined) return undefined;
    const a = queue.addresses;
    return {
      desc: a[1]! * 2 ** 32 + a[0]!,
      driver: a[3]! * 2 ** 32 + a[2]!,
      device: a[5]! * 2 ** 32 + a[4]!,
    };
  }

  private notifyThroughExit(index: number): void {
    const fd = this.notifyFds[index];
    if (fd === undefined) {
      this.invalidNotifies++;
      return;
    }
    this.exitNotifies++;
    fd.signal();
  }

  private accessConfig(data: Uint8Array, offset: number, isWrite: boolean): boolean {
    const start = offset - kConfig;
    if (start + data.length > this.config.length) return false;
    if (isWrite) this.config.set(data, start);
    else data.set(this.config.subarray(start, start + data.length));
    return true;
  }

  private reset(): void {
    this.status = 0;
    this.interruptStatus = 0;
    this.deviceFeaturesSel = 0;
    this.driverFeaturesSel = 0;
    this.driverFeatureWords.fill(0);
    this.queueSel = 0;
    for (const queue of this.queues) {
      queue.num = 0;
      queue.ready = 0;
      queue.addresses.fill(0);
    }
  }
}

function isRegisterAccess(data: Uint8Array, offset: number): boolean {
  return data.length === REGISTER_BYTES && offset % REGISTER_BYTES === 0;
}

/** Index into `QueueState.addresses` of a QueueDesc/Driver/Device Low/High register. */
function queueAddressIndex(offset: number): number {
  return ((offset - kQueueDescLow) >> 4) * 2 + ((offset & 0x4) >> 2);
}
