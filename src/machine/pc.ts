/**
 * The built-in `pc` machine (DESIGN "The main job"): RAM below and above 4 GiB through
 * aliases into a machine-RAM container, a PCI hole with device BARs, PAM-like windows at
 * 0xC0000-0xFFFFF, a pflash at the top of 4 GiB, a 16550 UART on port 0x3F8 (and mapped
 * in the hole), virtio-mmio devices with ioeventfd doorbells, and a hotplug area of 2 MiB
 * blocks. The address map is in pc-layout.ts.
 *
 * Besides the generic `Machine` lists, a `PcMachine` offers the churn primitives of this
 * board: `setPamMode`, `plugBlock` / `unplugBlock`, `moveBar`. Each is one topology
 * change (one published generation) and leaves everything as it was when it throws. This
 * module never waits for grace periods: releasing an unplugged block's mapping is the
 * caller's job (`as.callRcu(() => pc.hotplug.pool.release(mapping))`).
 */
import { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import { HostMemMapping } from '../host/mapping.js';
import { BarWindow } from './bar-window.js';
import { Pflash } from './devices/pflash.js';
import { RamBlockPool } from './devices/ram-block-pool.js';
import { Uart16550 } from './devices/uart16550.js';
import { VirtioMmio } from './devices/virtio-mmio.js';
import { HotplugArea } from './hotplug.js';
import type { Machine, MachineDevice, MmioTarget, RamRange } from './machine.js';
import { type PamMode, PamWindows } from './pam.js';
import {
  PC_ABOVE_4G_BASE,
  PC_BAR_SLOT_COUNT,
  PC_BAR_SLOT_SIZE,
  PC_BAR_WINDOW_BASE,
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
import { doorbellsOf, setIoeventfdsEnabled, subtractAreas } from './targets.js';

export interface PcMachine extends Machine {
  readonly layout: PcLayout;
  readonly hotplug: HotplugArea;
  readonly uart: Uart16550;
  readonly flash: Pflash;
  readonly virtio: readonly VirtioMmio[];
  /** Switches PAM window `index` (0-12, ascending GPA) between RAM and ROM/PCI. */
  setPamMode(index: number, mode: PamMode): void;
  pamMode(index: number): PamMode;
  /** Plugs a zero-filled 2 MiB block into hotplug slot `slot`. */
  plugBlock(slot: number): Region;
  /** Unplugs slot `slot`; release the returned mapping to `hotplug.pool` after the grace period. */
  unplugBlock(slot: number): HostMemMapping;
  /** Moves a virtio device's BAR to BAR slot `slot` (GPA 0xFEB00000 + slot * 0x200). */
  moveBar(device: string, slot: number): void;
  /** The BAR slot a virtio device occupies. */
  barSlotOf(device: string): number;
}

/** Firmware image markers, so reads through the flash and its aliases are recognisable. */
const FLASH_SIGNATURE = 'PCFLASH1';
/** `jmp far F000:E05B` at the reset vector, 16 bytes below 4 GiB. */
const RESET_VECTOR = [0xea, 0x5b, 0xe0, 0x00, 0xf0];
const OPTION_ROM_SIGNATURE = [0x55, 0xaa];

export function buildPcMachine(options: PcOptions = {}): PcMachine {
  const layout = pcLayout(options);
  const mappings = new Map<string, HostMemMapping>();
  const map = (name: string, size: number, readOnly = false): HostMemMapping => {
    const m = HostMemMapping.create({ size, name, readOnly });
    mappings.set(name, m);
    return m;
  };
  try {
    return assemblePc(layout, map, mappings);
  } catch (error) {
    for (const m of mappings.values()) m.release();
    throw error;
  }
}

function assemblePc(
  layout: PcLayout,
  map: (name: string, size: number, readOnly?: boolean) => HostMemMapping,
  mappings: ReadonlyMap<string, HostMemMapping>,
): PcMachine {
  const regions = new Map<string, Region>();
  const add = (parent: Region, child: Region, offset: number, priority = 0): Region => {
    child.setPriority(priority);
    parent.addSubregion(child, offset);
    regions.set(child.name, child);
    return child;
  };
  const root = Region.initContainerRegion(PC_MEMORY_SIZE, 'memory');
  const ioRoot = Region.initContainerRegion(PC_IO_SIZE, 'io');
  regions.set(root.name, root).set(ioRoot.name, ioRoot);

  // Machine RAM: a container in no address space, seen only through aliases.
  const ram = Region.initContainerRegion(layout.ramSize, 'pc.ram');
  regions.set(ram.name, ram);
  layout.ramChunks.forEach(({ offset, size }, i) => {
    add(ram, Region.initRamRegion(map(`pc.ram.${i}`, size), `pc.ram.${i}`), offset);
  });
  add(root, Region.initAliasRegion(ram, 0, layout.lowRamSize, 'ram-below-4g'), 0);
  if (layout.highRamSize > 0) {
    const high = Region.initAliasRegion(ram, layout.lowRamSize, layout.highRamSize, 'ram-above-4g');
    add(root, high, PC_ABOVE_4G_BASE);
  }

  // Firmware: the flash at the top of 4 GiB, its last 128 KiB again below 1 MiB.
  const flashMapping = map('pc.flash', layout.flashSize);
  writeFirmwareImage(flashMapping.bytes);
  const flash = new Pflash(flashMapping);
  const flashRegion = Region.initRomDeviceRegion(flashMapping, flash, 'pc.flash');
  flash.attach(flashRegion);
  add(root, flashRegion, layout.flashBase);
  const isaBios = Region.initAliasRegion(
    flashRegion,
    layout.flashSize - PC_ISA_BIOS_SIZE,
    PC_ISA_BIOS_SIZE,
    'isa-bios',
  );
  add(root, isaBios, PC_ISA_BIOS_BASE, PC_ROM_PRIORITY);
  const romMapping = map('pc.rom', PC_ROM_SIZE, true);
  romMapping.bytes.set(OPTION_ROM_SIGNATURE);
  add(root, Region.initRamRegion(romMapping, 'pc.rom'), PC_ROM_BASE, PC_ROM_PRIORITY);
  const pam = new PamWindows(ram, root, PC_PAM_PRIORITY);
  for (const w of pam.windows) regions.set(w.region.name, w.region);

  // The PCI hole and its BARs.
  const hole = Region.initContainerRegion(PC_PCI_HOLE_END - PC_PCI_HOLE_BASE, 'pci-hole');
  add(root, hole, PC_PCI_HOLE_BASE, PC_PCI_HOLE_PRIORITY);
  const vram = Region.initRamDeviceRegion(map('vga.vram', PC_VRAM_SIZE), 'vga.vram');
  add(hole, vram, PC_VRAM_BASE - PC_PCI_HOLE_BASE);
  const devices = new Map<string, MachineDevice>();
  const bars = new BarWindow(
    hole,
    PC_PCI_HOLE_BASE,
    PC_BAR_WINDOW_BASE,
    PC_BAR_SLOT_SIZE,
    PC_BAR_SLOT_COUNT,
  );
  const virtio = layout.virtio.map((v) => {
    const device = new VirtioMmio({
      deviceId: v.deviceId,
      numQueues: v.numQueues,
      queue: { gpa: v.queueGpa, size: PC_QUEUE_AREA_SIZE },
    });
    const region = Region.initIoRegion(device.size, device, v.name);
    region.setIoeventfds(device.ioeventfds());
    bars.place(region, v.slot);
    regions.set(region.name, region);
    devices.set(v.name, {
      name: v.name,
      model: 'virtio-mmio',
      device,
      region,
      space: 'memory',
      base: bars.gpaOf(v.slot),
    });
    return device;
  });

  // The UART: port 0x3F8, and the same registers in the hole through an alias.
  const uart = new Uart16550();
  const uartRegion = Region.initIoRegion(uart.size, uart, 'serial0');
  add(ioRoot, uartRegion, PC_UART_PORT);
  add(
    hole,
    Region.initAliasRegion(uartRegion, 0, uart.size, 'serial0-mmio'),
    PC_UART_MMIO_BASE - PC_PCI_HOLE_BASE,
  );
  devices.set('serial0', {
    name: 'serial0',
    model: 'uart16550',
    device: uart,
    region: uartRegion,
    space: 'io',
    base: PC_UART_PORT,
  });
  devices.set('pc.flash', {
    name: 'pc.flash',
    model: 'pflash',
    device: flash,
    region: flashRegion,
    space: 'memory',
    base: layout.flashBase,
  });

  // Hotplug slots.
  const hotplugContainer = Region.initContainerRegion(layout.hotplugSlots * 2 ** 21, 'hotplug');
  add(root, hotplugContainer, layout.hotplugBase);
  const hotplug = new HotplugArea(
    hotplugContainer,
    layout.hotplugBase,
    new RamBlockPool({ name: 'hotplug.block' }),
  );

  const memory = new AddressSpace(root, 'memory', ram);
  const io = new AddressSpace(ioRoot, 'io');
  const dmaAreas = layout.virtio.map((v) => ({
    device: v.name,
    gpa: v.queueGpa,
    size: PC_QUEUE_AREA_SIZE,
  }));
  const mmio: MmioTarget[] = [
    {
      device: 'serial0',
      model: 'uart16550',
      space: 'io',
      base: PC_UART_PORT,
      size: uart.size,
      probes: uart.probes(),
    },
    {
      device: 'serial0',
      model: 'uart16550',
      space: 'memory',
      base: PC_UART_MMIO_BASE,
      size: uart.size,
      probes: uart.probes(),
    },
    ...virtio.map((d, n) => ({
      device: layout.virtio[n]!.name,
      model: 'virtio-mmio' as const,
      space: 'memory' as const,
      base: bars.gpaOf(layout.virtio[n]!.slot),
      size: d.size,
      probes: d.probes(),
    })),
  ];
  const ioeventfdTargets = layout.virtio.map((v, n) => ({
    region: regions.get(v.name)!,
    ioeventfds: virtio[n]!.ioeventfds(),
  }));

  return {
    name: 'pc',
    layout,
    memory,
    io,
    regions,
    mappings,
    devices,
    hotplug,
    uart,
    flash,
    virtio,
    targets: {
      ramRanges: subtractAreas(staticRamRanges(layout), dmaAreas),
      dmaAreas,
      mmio,
      doorbells: doorbellsOf(memory, 'memory', devices),
      flash: [
        {
          name: 'pc.flash',
          base: layout.flashBase,
          size: layout.flashSize,
          region: flashRegion,
          device: flash,
        },
      ],
      ioeventfds: ioeventfdTargets,
      toggleableAliases: pam.windows.map((w) => w.region),
      pamWindows: pam.windows,
      barSlots: bars.describe(),
    },
    churn: undefined,
    workload: undefined,
    setIoeventfdsEnabled: (name, on) => setIoeventfdsEnabled(ioeventfdTargets, name, on),
    setPamMode: (index, mode) => pam.setMode(index, mode),
    pamMode: (index) => pam.mode(index),
    plugBlock: (slot) => hotplug.plugBlock(slot),
    unplugBlock: (slot) => hotplug.unplugBlock(slot),
    moveBar: (name, slot) => bars.move(name, slot, memory),
    barSlotOf: (name) => bars.slotOf(name),
    dispose: () => {
      hotplug.pool.dispose();
      for (const m of mappings.values()) m.release();
    },
  };
}

/** RAM that no churn of this board ever covers: below the ROM area, above 1 MiB, above 4 GiB. */
function staticRamRanges(layout: PcLayout): RamRange[] {
  const out: RamRange[] = [
    { base: 0, size: PC_ROM_BASE, region: 'ram-below-4g' },
    { base: 0x100000, size: layout.lowRamSize - 0x100000, region: 'ram-below-4g' },
  ];
  if (layout.highRamSize > 0)
    out.push({ base: PC_ABOVE_4G_BASE, size: layout.highRamSize, region: 'ram-above-4g' });
  return out;
}

function writeFirmwareImage(flash: Uint8Array): void {
  flash.fill(0xff);
  flash.set(Buffer.from(FLASH_SIGNATURE, 'latin1'), 0);
  flash.set(RESET_VECTOR, flash.length - 16);
}
