import { afterEach, describe, expect, it } from 'vitest';
import { MachineConfigError } from '../../src/machine/errors.js';
import { buildPcMachine, type PcMachine } from '../../src/machine/pc.js';

let pc: PcMachine | undefined;
afterEach(() => {
  pc?.dispose();
  pc = undefined;
});
const build = (options = {}, hypIoeventfd?: boolean): PcMachine => {
  pc = buildPcMachine(options, hypIoeventfd === undefined ? {} : { hypIoeventfd });
  return pc;
};
const ownerAt = (m: PcMachine, gpa: number) => {
  const r = m.memory.flatView.findFlatRange(gpa);
  return r === undefined ? undefined : [r.owner.name, r.offsetInRegion + gpa - r.addrRange.base];
};

describe('pc machine layout', () => {
  it('2 GiB guest: flat view of memory and io', () => {
    //  0        0xC0000  0xE0000  1 MiB      2 GiB     0xFD000000   0xFEB00000   0xFFE00000  4 GiB
    //  |pc.ram.0|pc.rom  |isa-bios|pc.ram.0|pc.ram.1|  ...hole... |vram|virtio..|serial| |pc.flash|
    const m = build();
    const flat = m.memory
      .memspaceShow()
      .split('\n')
      .filter((l) => /^ {2}0x/.test(l));
    expect(flat).toEqual([
      '  0x0 - 0xC0000, (pri 0, Ram) Region pc.ram.0 @ offset 0x0',
      '  0xC0000 - 0xE0000, (pri 1, Ram) Region pc.rom @ offset 0x0',
      '  0xE0000 - 0x100000, (pri 0, RomDevice) Region pc.flash @ offset 0x1E0000',
      '  0x100000 - 0x40000000, (pri 0, Ram) Region pc.ram.0 @ offset 0x100000',
      '  0x40000000 - 0x80000000, (pri 0, Ram) Region pc.ram.1 @ offset 0x0',
      '  0xFD000000 - 0xFD800000, (pri 0, RamDevice) Region vga.vram @ offset 0x0',
      '  0xFEB00000 - 0xFEB00200, (pri 0, IO) Region virtio-mmio.0 @ offset 0x0',
      '  0xFEB00200 - 0xFEB00400, (pri 0, IO) Region virtio-mmio.1 @ offset 0x0',
      '  0xFEBFF000 - 0xFEBFF008, (pri 0, IO) Region serial0 @ offset 0x0',
      '  0xFFE00000 - 0x100000000, (pri 0, RomDevice) Region pc.flash @ offset 0x0',
    ]);
    expect(m.io!.memspaceShow().split('\n')[1]).toBe(
      '  0x3F8 - 0x400, (pri 0, IO) Region serial0 @ offset 0x0',
    );
    expect(m.memory.getMachineRam()).toBe(m.regions.get('pc.ram'));
    expect(m.memory.memoryEndAddress()).toBe(0x80000000);
  });

  it('RAM below 4 GiB is visible at 0 and lands in the machine RAM chunks', () => {
    const m = build();
    m.memory.writeU32(0x1000, 0xdeadbeef);
    m.memory.writeU32(0x40000010, 0x01020304);
    expect(m.mappings.get('pc.ram.0')!.bytes.subarray(0x1000, 0x1004)).toEqual(
      Uint8Array.of(0xef, 0xbe, 0xad, 0xde),
    );
    expect(m.mappings.get('pc.ram.1')!.bytes[0x10]).toBe(0x04);
    expect(m.memory.readU32(0x1000)).toBe(0xdeadbeef);
  });

  it('the PCI hole shows only its BARs; unmapped holes fault', () => {
    const m = build();
    expect(() => m.memory.readU8(0xc0000000)).toThrow(
      'Failed to find matched region, addr 0xC0000000',
    );
    expect(() => m.memory.readU8(0x80000000)).toThrow(
      'Failed to find matched region, addr 0x80000000',
    );
    expect(m.memory.readU32(0xfd000000, 'RamDevice')).toBe(0);
    expect(m.memory.readU32(0xfeb00000, 'MMIO')).toBe(0x74726976);
    expect(m.memory.readU32(0xfeb00208, 'MMIO')).toBe(1); // virtio-net
  });

  it('RAM above 4 GiB and the hotplug area for a 4 GiB guest', () => {
    const m = build({ ramSize: '4GiB' });
    expect(ownerAt(m, 0xbfffffff)).toEqual(['pc.ram.2', 0x3fffffff]);
    expect(ownerAt(m, 0x100000000)).toEqual(['pc.ram.3', 0]);
    expect(m.layout.hotplugBase).toBe(0x140000000);
    m.plugBlock(3);
    expect(ownerAt(m, 0x140600000)).toEqual(['hotplug.slot3', 0]);
    m.hotplug.pool.release(m.unplugBlock(3));
    expect(ownerAt(m, 0x140600000)).toBeUndefined();
  });

  it('flash at 0xFFE00000 with the reset vector, also seen through isa-bios below 1 MiB', () => {
    const m = build();
    const sig = new Uint8Array(8);
    m.memory.read(sig, 0xffe00000, 'RomDevice');
    expect(Buffer.from(sig).toString('latin1')).toBe('PCFLASH1');
    expect(m.memory.readU8(0xfffffff0, 'RomDevice')).toBe(0xea);
    expect(m.memory.readU8(0xffff0, 'RomDevice')).toBe(0xea);
    m.memory.writeU8(0xffe00000, 0x90, 'MMIO'); // read identifier: romd off
    expect(m.memory.readU8(0xffe00000, 'MMIO')).toBe(0x89);
    expect(m.memory.flatView.findFlatRange(0xffff0)?.romd).toBe(false);
    m.memory.writeU8(0xffe00000, 0xff, 'MMIO');
    expect(m.memory.readU8(0xffe00000, 'RomDevice')).toBe(0x50); // 'P'
  });

  it('PAM windows switch 0xC0000 and 0xF0000 between ROM and RAM', () => {
    const m = build();
    expect(ownerAt(m, 0xc0000)).toEqual(['pc.rom', 0]);
    expect(m.memory.readU16(0xc0000)).toBe(0xaa55); // option ROM signature
    expect(ownerAt(m, 0xf0000)).toEqual(['pc.flash', 0x1f0000]);
    const generation = m.memory.flatView.generation;
    m.setPamMode(0, 'ram');
    expect(m.memory.flatView.generation).toBe(generation + 1);
    expect(ownerAt(m, 0xc0000)).toEqual(['pc.ram.0', 0xc0000]);
    expect(ownerAt(m, 0xc4000)).toEqual(['pc.rom', 0x4000]);
    m.memory.writeU16(0xc0000, 0x1234); // shadow RAM is writable
    m.setPamMode(12, 'ram');
    expect(ownerAt(m, 0xf0000)).toEqual(['pc.ram.0', 0xf0000]);
    expect(m.pamMode(12)).toBe('ram');
    m.setPamMode(0, 'pci');
    expect(m.memory.readU16(0xc0000)).toBe(0xaa55);
    m.setPamMode(0, 'ram');
    expect(m.memory.readU16(0xc0000)).toBe(0x1234);
    expect(() => m.setPamMode(13, 'ram')).toThrow(/from 0 to 12, got 13/);
    expect(m.targets.pamWindows.map((w) => [w.base, w.size]).slice(11)).toEqual([
      [0xec000, 0x4000],
      [0xf0000, 0x10000],
    ]);
  });

  it('the UART answers on port 0x3F8 and through its MMIO alias', () => {
    const m = build();
    m.io!.writeU8(0x3ff, 0x42, 'MMIO'); // SCR
    expect(m.memory.readU8(0xfebff007, 'MMIO')).toBe(0x42);
    m.memory.writeU8(0xfebff000, 0x41, 'MMIO');
    expect(m.uart.takeOutput()).toBe('A');
    expect(m.io!.readU8(0x3fd, 'MMIO')).toBe(0x60);
  });
});

describe('pc machine churn primitives', () => {
  it("hyp_ioevtfd is on in the pc machine: the owner's doorbell write reaches the device", () => {
    const m = build();
    expect(m.memory.ioevtfdEnabled).toBe(true);
    const bell = m.targets.doorbells.find((d) => d.device === 'virtio-mmio.1' && d.value === 1n)!;
    m.memory.writeU32(bell.gpa, Number(bell.value), 'MMIO');
    // The model signals the same fd itself, as an exited QueueNotify.
    expect([bell.fd.read(), m.virtio[1]!.exitNotifies]).toEqual([1, 1]);
  });

  it("doorbells are ioeventfds: with hyp_ioevtfd off the owner's write signals without reaching the device", () => {
    const m = build({}, false);
    const bell = m.targets.doorbells.find((d) => d.device === 'virtio-mmio.1' && d.value === 1n)!;
    expect(bell.gpa).toBe(0xfeb00250);
    m.memory.writeU32(bell.gpa, Number(bell.value), 'MMIO');
    expect(bell.fd.read()).toBe(1);
    expect(m.virtio[1]!.exitNotifies).toBe(0);
    m.setIoeventfdsEnabled('virtio-mmio.1', false);
    m.memory.writeU32(bell.gpa, 1, 'MMIO');
    expect(m.virtio[1]!.exitNotifies).toBe(1);
    m.setIoeventfdsEnabled('virtio-mmio.1', true);
    expect(m.memory.flatView.ioeventfds.length).toBe(3);
  });

  it('moveBar moves a device and its doorbells to another BAR slot', () => {
    const m = build({}, false);
    m.moveBar('virtio-mmio.0', 5);
    expect(m.barSlotOf('virtio-mmio.0')).toBe(5);
    expect(() => m.memory.readU32(0xfeb00000, 'MMIO')).toThrow(/addr 0xFEB00000/);
    expect(m.memory.readU32(0xfeb00a00, 'MMIO')).toBe(0x74726976);
    m.memory.writeU32(0xfeb00a50, 0, 'MMIO');
    expect(m.virtio[0]!.notifyFds[0]!.read()).toBe(1);
    expect(m.virtio[0]!.exitNotifies).toBe(0);
    const generation = m.memory.flatView.generation;
    expect(() => m.moveBar('virtio-mmio.0', 1)).toThrow('BAR slot 1 holds virtio-mmio.1');
    expect(() => m.moveBar('virtio-mmio.0', 2040)).toThrow(/from 0 to 2039/);
    expect(() => m.moveBar('e1000', 3)).toThrow(/no BAR device named e1000/);
    expect(m.memory.flatView.generation).toBe(generation);
  });

  it('lists what the workload and churn layers drive', () => {
    const m = build();
    const t = m.targets;
    expect(t.ramRanges).toEqual([
      { base: 0, size: 0xc0000, region: 'ram-below-4g' },
      { base: 0x100000, size: 0x7ffe0000 - 0x100000, region: 'ram-below-4g' },
    ]);
    expect(t.dmaAreas).toEqual([
      { device: 'virtio-mmio.0', gpa: 0x7fff0000, size: 0x10000 },
      { device: 'virtio-mmio.1', gpa: 0x7ffe0000, size: 0x10000 },
    ]);
    expect(t.mmio.map((x) => [x.device, x.space, x.base])).toEqual([
      ['serial0', 'io', 0x3f8],
      ['serial0', 'memory', 0xfebff000],
      ['virtio-mmio.0', 'memory', 0xfeb00000],
      ['virtio-mmio.1', 'memory', 0xfeb00200],
    ]);
    expect(t.flash.map((f) => [f.name, f.base, f.size])).toEqual([
      ['pc.flash', 0xffe00000, 0x200000],
    ]);
    expect(t.barSlots?.slots.length).toBe(2040);
    expect(t.barSlots?.devices).toEqual(['virtio-mmio.0', 'virtio-mmio.1']);
    expect(t.toggleableAliases.length).toBe(13);
    expect(m.hotplug.slotCount).toBe(64);
    expect(m.hotplug.gpaOf(0)).toBe(0x100000000);
  });

  it('refuses bad options with the option name', () => {
    expect(() => buildPcMachine({ ramSize: '3MiB' })).toThrow(
      'ramSize: must be a multiple of 2 MiB from 16 MiB to 256 GiB, got 3145728',
    );
    expect(() => buildPcMachine({ virtioDevices: 0 })).toThrow(MachineConfigError);
    expect(() => buildPcMachine({ flashSize: '3MiB' })).toThrow(
      /^flashSize: must be a power of two/,
    );
  });
});
