/**
 * The address map of the built-in `pc` machine, computed from its options. Numbers only:
 * pc.ts builds the regions.
 *
 * | GPA                       | size           | region                         | prio |
 * |---------------------------|----------------|--------------------------------|------|
 * | 0x0                       | min(RAM, 3 GiB)| ram-below-4g → pc.ram @0        | 0    |
 * | 0xC0000                   | 128 KiB        | pc.rom (option ROM, read-only RAM) | 1 |
 * | 0xE0000                   | 128 KiB        | isa-bios → pc.flash top 128 KiB | 1    |
 * | 0xC0000 + i*16 KiB, i<12  | 16 KiB         | pam0..pam11 → pc.ram (off at reset) | 2 |
 * | 0xF0000                   | 64 KiB         | pam12 → pc.ram (off at reset)   | 2    |
 * | 0xC0000000                | 0x3EC00000     | pci-hole (Container)           | -1   |
 * |   0xFD000000              | 8 MiB          |   vga.vram (RamDevice BAR)      | 0    |
 * |   0xFEB00000 + n*0x200    | 0x200          |   virtio-mmio.n (IO BAR, doorbell ioeventfds) | 0 |
 * |   0xFEBFF000              | 8              |   serial0-mmio → serial0        | 0    |
 * | 0xFFE00000                | 2 MiB          | pc.flash (pflash RomDevice)     | 0    |
 * | 0x100000000               | RAM - 3 GiB    | ram-above-4g → pc.ram @3 GiB    | 0    |
 * | next 1 GiB boundary       | slots * 2 MiB  | hotplug (Container of 2 MiB blocks) | 0 |
 * I/O ports (`io` space, 64 KiB): 0x3F8, 8 bytes: serial0 (16550).
 *
 * `pc.ram` (machine RAM, the `getMachineRam()` of `memory`) is a Container in no address
 * space made of Ram regions `pc.ram.0`, `pc.ram.1`, ... over 1 GiB mappings (the last one
 * smaller), reached only through the aliases, as in QEMU. The low-RAM split at 3 GiB is
 * QEMU's i440FX `lowmem` for large guests. The hole keeps 0xFEC00000-0xFFDFFFFF free
 * (IOAPIC, HPET, LAPIC are not modelled); the legacy VGA window 0xA0000-0xBFFFF is RAM.
 * Each virtio device owns 64 KiB of low RAM below the top of ram-below-4g as its queue
 * area, kept out of the workload's RAM ranges.
 */
import { MachineConfigError } from './errors.js';
import { parseSize } from './sizes.js';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const KiB = 2 ** 10;

/** The memory root: a 40-bit guest physical address space (1 TiB). */
export const PC_MEMORY_SIZE = 2 ** 40;
export const PC_IO_SIZE = 0x10000;
export const PC_LOWMEM_SPLIT = 0xc000_0000;
export const PC_ABOVE_4G_BASE = 4 * GiB;
export const PC_RAM_CHUNK = GiB;
export const PC_PCI_HOLE_BASE = 0xc000_0000;
export const PC_PCI_HOLE_END = 0xfec0_0000;
export const PC_PCI_HOLE_PRIORITY = -1;
export const PC_ROM_BASE = 0xc0000;
export const PC_ROM_SIZE = 128 * KiB;
export const PC_ISA_BIOS_BASE = 0xe0000;
export const PC_ISA_BIOS_SIZE = 128 * KiB;
export const PC_ROM_PRIORITY = 1;
export const PC_PAM_PRIORITY = 2;
export const PC_VRAM_BASE = 0xfd00_0000;
export const PC_VRAM_SIZE = 8 * MiB;
export const PC_BAR_WINDOW_BASE = 0xfeb0_0000;
export const PC_BAR_SLOT_SIZE = 0x200;
export const PC_UART_MMIO_BASE = 0xfebf_f000;
export const PC_BAR_SLOT_COUNT = (PC_UART_MMIO_BASE - PC_BAR_WINDOW_BASE) / PC_BAR_SLOT_SIZE;
export const PC_UART_PORT = 0x3f8;
export const PC_QUEUE_AREA_SIZE = 64 * KiB;
export const PC_HOTPLUG_ALIGN = GiB;
export const PC_BLOCK_SIZE = 2 * MiB;

/** virtio device ids cycled over the devices: block, net, entropy, console. */
const VIRTIO_KINDS = [
  { deviceId: 2, numQueues: 1 },
  { deviceId: 1, numQueues: 2 },
  { deviceId: 4, numQueues: 1 },
  { deviceId: 3, numQueues: 2 },
] as const;

export interface PcOptions {
  /** Guest RAM: a multiple of 2 MiB from 16 MiB to 256 GiB. Default 2 GiB. */
  ramSize?: number | string;
  /** virtio-mmio devices, 1 to 8. Default 2. */
  virtioDevices?: number;
  /** 2 MiB hotplug slots, 1 to 4096. Default 64 (128 MiB). */
  hotplugSlots?: number;
  /** Flash size: a power of two from 256 KiB to 16 MiB. Default 2 MiB. */
  flashSize?: number | string;
}

export interface PcVirtioLayout {
  readonly name: string;
  readonly deviceId: number;
  readonly numQueues: number;
  readonly slot: number;
  readonly queueGpa: number;
}

export interface PcLayout {
  readonly ramSize: number;
  readonly lowRamSize: number;
  readonly highRamSize: number;
  /** Offsets and sizes of the `pc.ram.N` chunks inside `pc.ram`. */
  readonly ramChunks: readonly { offset: number; size: number }[];
  readonly flashSize: number;
  readonly flashBase: number;
  readonly hotplugBase: number;
  readonly hotplugSlots: number;
  readonly virtio: readonly PcVirtioLayout[];
}

export function pcLayout(options: PcOptions = {}): PcLayout {
  const ramSize = parseSize(options.ramSize ?? 2 * GiB, 'ramSize', { positive: true });
  if (ramSize % PC_BLOCK_SIZE !== 0 || ramSize < 16 * MiB || ramSize > 256 * GiB) {
    throw new MachineConfigError(
      'ramSize',
      `must be a multiple of 2 MiB from 16 MiB to 256 GiB, got ${ramSize}`,
    );
  }
  const flashSize = parseSize(options.flashSize ?? 2 * MiB, 'flashSize', { positive: true });
  if ((flashSize & (flashSize - 1)) !== 0 || flashSize < 256 * KiB || flashSize > 16 * MiB) {
    throw new MachineConfigError(
      'flashSize',
      `must be a power of two from 256 KiB to 16 MiB, got ${flashSize}`,
    );
  }
  const virtioCount = integerOption(options.virtioDevices, 2, 1, 8, 'virtioDevices');
  const hotplugSlots = integerOption(options.hotplugSlots, 64, 1, 4096, 'hotplugSlots');
  const lowRamSize = Math.min(ramSize, PC_LOWMEM_SPLIT);
  const highRamSize = ramSize - lowRamSize;
  const ramChunks: { offset: number; size: number }[] = [];
  for (let offset = 0; offset < ramSize; offset += PC_RAM_CHUNK) {
    ramChunks.push({ offset, size: Math.min(PC_RAM_CHUNK, ramSize - offset) });
  }
  const aboveEnd = PC_ABOVE_4G_BASE + highRamSize;
  return {
    ramSize,
    lowRamSize,
    highRamSize,
    ramChunks,
    flashSize,
    flashBase: 4 * GiB - flashSize,
    hotplugBase: Math.ceil(aboveEnd / PC_HOTPLUG_ALIGN) * PC_HOTPLUG_ALIGN,
    hotplugSlots,
    virtio: Array.from({ length: virtioCount }, (_, n) => ({
      name: `virtio-mmio.${n}`,
      ...VIRTIO_KINDS[n % VIRTIO_KINDS.length]!,
      slot: n,
      queueGpa: lowRamSize - (n + 1) * PC_QUEUE_AREA_SIZE,
    })),
  };
}

function integerOption(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  path: string,
): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new MachineConfigError(
      path,
      `must be an integer from ${min} to ${max}, got ${String(v)}`,
    );
  }
  return v;
}
