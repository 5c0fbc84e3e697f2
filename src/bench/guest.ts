/**
 * The guest that every multi-thread bench row runs against, built once per strategy:
 *
 * ```
 * 0x0                 RAM (one HostMemMapping, shared by every strategy's tree and by
 * |                        the raw rows, so all rows touch the same physical pages)
 * ramBytes            device window (16 MiB):
 * |  + i * 64 KiB       BAR i: a 4 KiB IO region that churn toggles (i < BAR_COUNT)
 * |  + 0xF0_0000        UART: 8 bytes of IO, every access an MMIO exit
 * |  + 0xF1_0000        doorbell: 4 KiB of IO with an ioeventfd at +0 (4 bytes, any data)
 * ```
 *
 * One `AddressSpace` and one `SharedViewPublisher` (check mode off: no poisoning, no
 * history, as in production) per strategy. Churn never touches the RAM piece, so what
 * it costs the vCPUs is the strategy's adoption: a new table, dropped caches, one slow
 * lookup. This module builds and tears down; it never runs vCPUs or times anything.
 */
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import type { PublisherOptions } from '../concurrent/publication/publisher-options.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import type { RegionOps } from '../core/types.js';
import { EventFd } from '../host/event-fd.js';
import { HostMemMapping } from '../host/mapping.js';

/** Size of the device window above RAM. */
export const DEVICE_WINDOW = 0x100_0000;
/** IO regions that churn toggles. */
export const BAR_COUNT = 64;
const BAR_STRIDE = 0x1_0000;
const BAR_SIZE = 0x1000;
const UART_OFFSET = 0xf0_0000;
const UART_SIZE = 8;
const DOORBELL_OFFSET = 0xf1_0000;
const DOORBELL_SIZE = 0x1000;

/** `SharedViewPublisher.attachTo` for a core `AddressSpace`, with the bench's options. */
export function publishSpace(space: AddressSpace, options: PublisherOptions): SharedViewPublisher {
  return SharedViewPublisher.attachTo(space, options);
}

/** Device ops that accept every access and read zeros: the exit round trip, nothing else. */
const nullOps: RegionOps = {
  read: (data) => {
    data.fill(0);
    return true;
  },
  write: () => true,
};

/** The RAM block every tree maps at GPA 0. */
export class BenchRam {
  readonly mapping: HostMemMapping;

  constructor(bytes: number) {
    this.mapping = HostMemMapping.create({ size: bytes, name: 'bench-ram' });
  }

  get bytes(): number {
    return this.mapping.size;
  }

  /** The raw rows' memory: the same buffer, addressed by GPA with no translation. */
  rawHandle(): { buffer: SharedArrayBuffer; base: number } {
    return { buffer: this.mapping.buffer, base: 0 };
  }

  release(): void {
    this.mapping.release();
  }
}

export interface BenchGuestOptions {
  readonly strategy: Strategy;
  /** Reader batch limit of the publisher (default: the publisher's 1024). */
  readonly batchLimit?: number;
  /** hyp_ioevtfd_enabled (default true, as KVM: the vCPU signals doorbells itself). */
  readonly hypIoeventfd?: boolean;
}

/** One strategy's address space over the shared RAM, published for vCPU readers. */
export class BenchGuest {
  readonly strategy: Strategy;
  readonly space: AddressSpace;
  readonly publisher: SharedViewPublisher;
  readonly bars: readonly Region[];
  readonly ram: BenchRam;
  /** GPA of the UART's first register (an MMIO exit per access). */
  readonly uartGpa: number;
  /** GPA of the doorbell register (a 4-byte write there signals `doorbellFd`). */
  readonly doorbellGpa: number;
  readonly doorbellFd: EventFd;

  constructor(ram: BenchRam, options: BenchGuestOptions) {
    this.strategy = options.strategy;
    this.ram = ram;
    const base = ram.bytes;
    const root = Region.initContainerRegion(base + DEVICE_WINDOW, `bench-${options.strategy}`);
    root.addSubregionNotUpdate(Region.initRamRegion(ram.mapping, 'ram'), 0);
    const bars: Region[] = [];
    for (let i = 0; i < BAR_COUNT; i++) {
      const bar = Region.initIoRegion(BAR_SIZE, nullOps, `bar${i}`);
      root.addSubregionNotUpdate(bar, base + i * BAR_STRIDE);
      bars.push(bar);
    }
    this.bars = bars;
    root.addSubregionNotUpdate(Region.initIoRegion(UART_SIZE, nullOps, 'uart'), base + UART_OFFSET);
    const doorbell = Region.initIoRegion(DOORBELL_SIZE, nullOps, 'doorbell');
    this.doorbellFd = new EventFd();
    doorbell.setIoeventfds([
      { addrRange: { base: 0, size: 4 }, dataMatch: false, data: 0n, fd: this.doorbellFd },
    ]);
    root.addSubregionNotUpdate(doorbell, base + DOORBELL_OFFSET);
    this.uartGpa = base + UART_OFFSET;
    this.doorbellGpa = base + DOORBELL_OFFSET;
    this.space = new AddressSpace(root, `bench-${options.strategy}`);
    this.space.setIoevtfdEnabled(options.hypIoeventfd ?? true);
    this.publisher = publishSpace(this.space, {
      strategy: options.strategy,
      check: false,
      history: false,
      ...(options.batchLimit === undefined ? {} : { batchLimit: options.batchLimit }),
    });
  }

  /** The RAM the workloads touch. */
  ramRanges(): { base: number; size: number }[] {
    return [{ base: 0, size: this.ram.bytes }];
  }

  /** Detaches the publisher and drops the address space (vCPU pools must be destroyed first). */
  destroy(): void {
    this.space.detachPublisher();
    this.publisher.close();
    this.space.destroy();
  }
}
