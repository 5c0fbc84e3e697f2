/**
 * The built-in `pc` machine as a machine file: `pcMachineFile(options)` writes the address
 * map of pc-layout.ts in the machine-file form (SPEC 9), and `pcMachineConfig(options)`
 * reads it back through the same parser and checks as any file, so the pc is built by
 * the one builder (build.ts) and can do nothing a machine file cannot.
 *
 * What the file holds, besides regions: the firmware image (flash filled with 0xFF, the
 * `PCFLASH1` marker at 0 and a far jump at the reset vector) and the option ROM's 55 AA
 * signature as mapping `content`; the PAM windows (`pam`); the BAR window of the virtio
 * devices (`barWindow`); and the workload targets (`targets`): the RAM no churn of this
 * board ever covers (below the ROM area, above 1 MiB, above 4 GiB) and the UART probed
 * on its port and through its MMIO alias. This module computes a description; it builds
 * nothing and allocates no memory.
 */
import { hex } from '../base/errors.js';
import type { RawMachineFile, RawRegion } from './config-schema.js';
import { UART_REGISTER_COUNT } from './devices/uart16550.js';
import type { MachineConfig } from './machine-config.js';
import { parseMachineFile } from './machine-file.js';
import {
  PC_ABOVE_4G_BASE,
  PC_BAR_SLOT_COUNT,
  PC_BAR_SLOT_SIZE,
  PC_BAR_WINDOW_BASE,
  PC_BLOCK_SIZE,
  PC_IO_SIZE,
  PC_ISA_BIOS_BASE,
  PC_ISA_BIOS_SIZE,
  PC_MEMORY_SIZE,
  PC_PAM_PRIORITY,
  PC_PCI_HOLE_BASE,
  PC_PCI_HOLE_END,
  PC_PCI_HOLE_PRIORITY,
  PC_QUEUE_AREA_SIZE,
  PC_ROM_BASE,
  PC_ROM_PRIORITY,
  PC_ROM_SIZE,
  PC_UART_MMIO_BASE,
  PC_UART_PORT,
  PC_VRAM_BASE,
  PC_VRAM_SIZE,
  type PcLayout,
  type PcOptions,
  pcLayout,
} from './pc-layout.js';

/** The machine's name, as `--machine pc` names it. */
export const PC_MACHINE_NAME = 'pc';
/** Firmware image marker at byte 0 of the flash, so reads through it are recognisable. */
export const PC_FLASH_SIGNATURE = 'PCFLASH1';
/** `jmp far F000:E05B` at the reset vector, 16 bytes below 4 GiB (the flash's end). */
export const PC_RESET_VECTOR = [0xea, 0x5b, 0xe0, 0x00, 0xf0] as const;
/** The option ROM signature at byte 0 of `pc.rom`. */
export const PC_OPTION_ROM_SIGNATURE = [0x55, 0xaa] as const;
/** Where the guest sees the low RAM below 1 MiB again after the ROM area. */
const ONE_MIB = 0x10_0000;

/** The `pc` machine (see pc-layout.ts for the map) as a machine file. */
export function pcMachineFile(options: PcOptions = {}): RawMachineFile {
  const layout = pcLayout(options);
  return {
    name: PC_MACHINE_NAME,
    mappings: mappingsOf(layout),
    machineRam: 'pc.ram',
    regions: [
      {
        type: 'Container',
        name: 'pc.ram',
        size: hex(layout.ramSize),
        children: layout.ramChunks.map(({ offset }, i) => ({
          type: 'Ram',
          name: `pc.ram.${i}`,
          mapping: `pc.ram.${i}`,
          offset: hex(offset),
        })),
      },
    ],
    memory: {
      type: 'Container',
      name: 'memory',
      size: hex(PC_MEMORY_SIZE),
      children: memoryChildren(layout),
    },
    io: {
      type: 'Container',
      name: 'io',
      size: hex(PC_IO_SIZE),
      children: [{ type: 'IO', name: 'serial0', device: 'uart16550', offset: hex(PC_UART_PORT) }],
    },
    hotplug: { container: 'hotplug', blockSize: hex(PC_BLOCK_SIZE) },
    pam: { target: 'pc.ram', priority: PC_PAM_PRIORITY },
    barWindow: {
      container: 'pci-hole',
      offset: hex(PC_BAR_WINDOW_BASE - PC_PCI_HOLE_BASE),
      slotSize: hex(PC_BAR_SLOT_SIZE),
      slots: PC_BAR_SLOT_COUNT,
      bars: layout.virtio.map((v) => v.name),
    },
    targets: {
      ram: [
        { region: 'ram-below-4g', offset: 0, size: hex(PC_ROM_BASE) },
        { region: 'ram-below-4g', offset: hex(ONE_MIB), size: hex(layout.lowRamSize - ONE_MIB) },
        ...(layout.highRamSize > 0
          ? [{ region: 'ram-above-4g', offset: 0, size: hex(layout.highRamSize) }]
          : []),
      ],
      mmio: ['serial0', 'serial0-mmio', ...layout.virtio.map((v) => v.name)],
    },
  };
}

/** The `pc` machine's checked configuration: `pcMachineFile(options)`, read as any file is. */
export function pcMachineConfig(options: PcOptions = {}): MachineConfig {
  return parseMachineFile(pcMachineFile(options), PC_MACHINE_NAME);
}

function mappingsOf(layout: PcLayout): NonNullable<RawMachineFile['mappings']> {
  const mappings: NonNullable<RawMachineFile['mappings']> = {};
  layout.ramChunks.forEach(({ size }, i) => {
    mappings[`pc.ram.${i}`] = hex(size);
  });
  mappings['pc.flash'] = {
    size: hex(layout.flashSize),
    fill: '0xFF',
    content: [
      { offset: 0, hex: Buffer.from(PC_FLASH_SIGNATURE, 'latin1').toString('hex') },
      { offset: hex(layout.flashSize - 16), hex: Buffer.from(PC_RESET_VECTOR).toString('hex') },
    ],
  };
  mappings['pc.rom'] = {
    size: hex(PC_ROM_SIZE),
    readOnly: true,
    content: [{ offset: 0, hex: Buffer.from(PC_OPTION_ROM_SIGNATURE).toString('hex') }],
  };
  mappings['vga.vram'] = hex(PC_VRAM_SIZE);
  return mappings;
}

/** The memory root's children, in the order the board adds them (it decides ties). */
function memoryChildren(layout: PcLayout): RawRegion[] {
  const ramAlias = (name: string, aliasOffset: number, size: number, offset: number) =>
    ({
      type: 'Alias',
      name,
      target: 'pc.ram',
      aliasOffset: hex(aliasOffset),
      size: hex(size),
      offset: hex(offset),
    }) satisfies RawRegion;
  return [
    ramAlias('ram-below-4g', 0, layout.lowRamSize, 0),
    ...(layout.highRamSize > 0
      ? [ramAlias('ram-above-4g', layout.lowRamSize, layout.highRamSize, PC_ABOVE_4G_BASE)]
      : []),
    {
      type: 'RomDevice',
      name: 'pc.flash',
      mapping: 'pc.flash',
      device: 'pflash',
      offset: hex(layout.flashBase),
    },
    {
      type: 'Alias',
      name: 'isa-bios',
      target: 'pc.flash',
      aliasOffset: hex(layout.flashSize - PC_ISA_BIOS_SIZE),
      size: hex(PC_ISA_BIOS_SIZE),
      offset: hex(PC_ISA_BIOS_BASE),
      priority: PC_ROM_PRIORITY,
    },
    {
      type: 'Ram',
      name: 'pc.rom',
      mapping: 'pc.rom',
      offset: hex(PC_ROM_BASE),
      priority: PC_ROM_PRIORITY,
    },
    {
      type: 'Container',
      name: 'pci-hole',
      size: hex(PC_PCI_HOLE_END - PC_PCI_HOLE_BASE),
      offset: hex(PC_PCI_HOLE_BASE),
      priority: PC_PCI_HOLE_PRIORITY,
      children: pciHoleChildren(layout),
    },
    {
      type: 'Container',
      name: 'hotplug',
      size: hex(layout.hotplugSlots * PC_BLOCK_SIZE),
      offset: hex(layout.hotplugBase),
    },
  ];
}

/** VRAM, the virtio BARs in their first slots, and the UART's MMIO alias. */
function pciHoleChildren(layout: PcLayout): RawRegion[] {
  const inHole = (gpa: number) => hex(gpa - PC_PCI_HOLE_BASE);
  return [
    { type: 'RamDevice', name: 'vga.vram', mapping: 'vga.vram', offset: inHole(PC_VRAM_BASE) },
    ...layout.virtio.map(
      (v): RawRegion => ({
        type: 'IO',
        name: v.name,
        offset: inHole(PC_BAR_WINDOW_BASE + v.slot * PC_BAR_SLOT_SIZE),
        device: {
          model: 'virtio-mmio',
          deviceId: v.deviceId,
          numQueues: v.numQueues,
          queue: { gpa: hex(v.queueGpa), size: hex(PC_QUEUE_AREA_SIZE) },
        },
      }),
    ),
    {
      type: 'Alias',
      name: 'serial0-mmio',
      target: 'serial0',
      size: UART_REGISTER_COUNT,
      offset: inHole(PC_UART_MMIO_BASE),
    },
  ];
}
