import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { container, io, ram, recordingOps } from './helpers.js';

function example1() {
  const root = container(8000, 'root');
  const space = new AddressSpace(root, 'space');
  const b = container(4000, 'B', 2);
  root.addSubregion(b, 2000);
  root.addSubregion(io(6000, 'C', 1), 0);
  b.addSubregion(io(1000, 'D'), 0);
  b.addSubregion(io(1000, 'E'), 2000);
  return { root, space };
}

describe('memspaceShow', () => {
  it("returns StratoVirt's text for SPEC 4 example 1", () => {
    expect(example1().space.memspaceShow()).toBe(
      [
        '----- address-space flat: space -----',
        '  0x0 - 0x7D0, (pri 1, IO) Region C @ offset 0x0',
        '  0x7D0 - 0xBB8, (pri 0, IO) Region D @ offset 0x0',
        '  0xBB8 - 0xFA0, (pri 1, IO) Region C @ offset 0xBB8',
        '  0xFA0 - 0x1388, (pri 0, IO) Region E @ offset 0x0',
        '  0x1388 - 0x1770, (pri 1, IO) Region C @ offset 0x1388',
        '------ regions show: root --------------',
        '0x0 - 0x1F40, (Prio 0, Container) : root',
        '    0x7D0 - 0x1770, (Prio 2, Container) : B',
        '        0x7D0 - 0xBB8, (Prio 0, i/o romd None) : E',
        '        0x0 - 0x3E8, (Prio 0, i/o romd None) : D',
        '    0x0 - 0x1770, (Prio 1, i/o romd None) : C',
        '--------------------------------------',
        '',
      ].join('\n'),
    );
  });
});

describe('mtree', () => {
  it('prints every leaf type, romd modes and aliases', () => {
    const root = container(0x10000, 'sys');
    const mem = ram(0x1000, 'pc.ram');
    const machine = container(0x1000, 'machine');
    machine.addSubregion(mem, 0);
    root.addSubregion(Region.initAliasRegion(machine, 0x800, 0x800, 'ram-below'), 0);
    const rom = Region.initRomDeviceRegion(
      HostMemMapping.create({ size: 0x100 }),
      recordingOps(),
      'flash',
    );
    root.addSubregion(rom, 0x8000);
    root.addSubregion(
      Region.initRamDeviceRegion(HostMemMapping.create({ size: 0x100 }), 'bar'),
      0x9000,
    );
    rom.setRomDeviceRomd(false);
    expect(root.mtree(1)).toBe(
      [
        '    0x0 - 0x10000, (Prio 0, Container) : sys',
        '        0x9000 - 0x9100, (Prio 0, ramd romd None) : bar',
        '        0x8000 - 0x8100, (Prio 0, romd romd Some(false)) : flash',
        '        0x800 - 0x1000, (Prio 0, alias) : ram-below @alias name: machine',
        '',
      ].join('\n'),
    );
    expect(mem.mtree(0)).toBe('0x0 - 0x1000, (Prio 0, ram romd None) : pc.ram\n');
  });
});

describe('mtreeQemu', () => {
  it("prints QEMU's info mtree layout, with alias targets after the tree", () => {
    const root = container(0x10000, 'system');
    const machine = container(0x2000, 'machine');
    machine.addSubregion(ram(0x2000, 'pc.ram'), 0);
    root.addSubregion(Region.initAliasRegion(machine, 0x1000, 0x1000, 'ram-below'), 0);
    const dev = io(0x100, 'uart', 1);
    dev.setEnabled(false);
    root.addSubregion(dev, 0x3f8);
    const space = new AddressSpace(root, 'memory');
    expect(space.mtreeQemu()).toBe(
      [
        'address-space: memory',
        '  0000000000000000-000000000000ffff (prio 0, i/o): system',
        '    0000000000000000-0000000000000fff (prio 0, i/o): alias ram-below @machine 0000000000001000-0000000000001fff',
        '    00000000000003f8-00000000000004f7 (prio 1, i/o [disabled]): uart',
        '',
        'memory-region: machine',
        '  0000000000000000-0000000000001fff (prio 0, i/o): machine',
        '    0000000000000000-0000000000001fff (prio 0, ram): pc.ram',
        '',
      ].join('\n'),
    );
    expect(space.mtreeQemu({ flat: true })).toBe(
      [
        'FlatView #0',
        ' AS "memory", root: system',
        ' Root memory region: system',
        '  0000000000000000-0000000000000fff (prio 0, ram): pc.ram @0000000000001000',
        '',
      ].join('\n'),
    );
  });
});
