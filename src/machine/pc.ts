/**
 * The built-in `pc` machine (DESIGN "The main job"): RAM below and above 4 GiB through
 * aliases into a machine-RAM container, a PCI hole with device BARs, PAM-like windows at
 * 0xC0000-0xFFFFF, a pflash at the top of 4 GiB, a 16550 UART on port 0x3F8 (and mapped
 * in the hole), virtio-mmio devices with ioeventfd doorbells, and a hotplug area of 2 MiB
 * blocks. The address map is in pc-layout.ts, its machine file in pc-config.ts; it is
 * built by `buildMachine`, as any machine file is.
 *
 * Besides the generic `Machine` (and its churn methods), a `PcMachine` names this board's
 * parts and offers its primitives: `setPamMode`, `plugBlock` / `unplugBlock`, `moveBar`.
 * Each is one topology change (one published generation) and leaves everything as it
 * was when it throws. This module never waits for grace periods: releasing an unplugged
 * block's mapping is the caller's job (`as.callRcu(() => pc.hotplug.pool.release(mapping))`).
 */
import { AddressSpaceError } from '../base/errors.js';
import type { Region } from '../core/region.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { BarWindow } from './bar-window.js';
import { type BuildOptions, buildMachine } from './build.js';
import { Pflash } from './devices/pflash.js';
import { Uart16550 } from './devices/uart16550.js';
import { VirtioMmio } from './devices/virtio-mmio.js';
import type { HotplugArea } from './hotplug.js';
import type { Machine } from './machine.js';
import type { PamMode, PamWindows } from './pam.js';
import { pcMachineConfig } from './pc-config.js';
import { type PcLayout, type PcOptions, pcLayout } from './pc-layout.js';

export interface PcMachine extends Machine {
  readonly layout: PcLayout;
  readonly hotplug: HotplugArea;
  readonly pam: PamWindows;
  readonly bars: BarWindow;
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

export function buildPcMachine(options: PcOptions = {}, build: BuildOptions = {}): PcMachine {
  const layout = pcLayout(options);
  const machine = buildMachine(pcMachineConfig(options), build);
  try {
    return asPc(machine, layout);
  } catch (error) {
    machine.dispose();
    throw error;
  }
}

/** The pc's parts, found by name in the machine its file built. */
function asPc(machine: Machine, layout: PcLayout): PcMachine {
  const { hotplug, pam, bars } = machine;
  if (hotplug === undefined || pam === undefined || bars === undefined) {
    throw AddressSpaceError.invalidArgument('the pc machine file lost its hotplug, PAM or BARs');
  }
  return {
    ...machine,
    layout,
    hotplug,
    pam,
    bars,
    uart: deviceOf(machine, 'serial0', Uart16550),
    flash: deviceOf(machine, 'pc.flash', Pflash),
    virtio: layout.virtio.map((v) => deviceOf(machine, v.name, VirtioMmio)),
    setPamMode: (index, mode) => pam.setMode(index, mode),
    pamMode: (index) => pam.mode(index),
    plugBlock: (slot) => hotplug.plugBlock(slot),
    unplugBlock: (slot) => hotplug.unplugBlock(slot),
    barSlotOf: (name) => bars.slotOf(name),
  };
}

function deviceOf<T>(machine: Machine, name: string, model: new (...args: never[]) => T): T {
  const device = machine.devices.get(name)?.device;
  if (!(device instanceof model)) {
    throw AddressSpaceError.invalidArgument(`the pc machine file has no ${model.name} ${name}`);
  }
  return device;
}
