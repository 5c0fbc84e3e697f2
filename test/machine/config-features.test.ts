/**
 * The board features of a machine file: mapping content, PAM windows, a BAR window and
 * the workload targets; what a board built with them looks like, and one line naming the
 * field for each thing wrong with them.
 *
 *   sys (4 GiB)
 *   0x0         low          → ram @0 (768 KiB)
 *   0xC0000     pam0..pam12  → ram @0xC0000 (off at reset: nothing there)
 *   0xE0000000  hole (16 MiB, prio -1)
 *     +0x1000     uart
 *     +0x2000     uart-mirror → uart
 *     +0x10000    net (virtio-mmio), in slot 0 of 16 slots of 4 KiB
 *   0xFFFF0000  rom (64 KiB, read-only, 0xFF with EA 5B at 0xFFF0)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildMachine } from '../../src/machine/build.js';
import { MachineConfigError } from '../../src/machine/errors.js';
import type { Machine } from '../../src/machine/machine.js';
import { parseMachineFile } from '../../src/machine/machine-file.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary JSON.
type Json = any;

const board = (): Json => ({
  name: 'board',
  mappings: {
    ram: '2MiB',
    rom: {
      size: '64KiB',
      readOnly: true,
      fill: '0xFF',
      content: [{ offset: '0xFFF0', hex: 'EA5b' }],
    },
  },
  regions: [{ type: 'Ram', name: 'ram', mapping: 'ram' }],
  machineRam: 'ram',
  memory: {
    type: 'Container',
    name: 'sys',
    size: '4GiB',
    children: [
      { type: 'Alias', name: 'low', target: 'ram', size: '768KiB' },
      {
        type: 'Container',
        name: 'hole',
        offset: '0xE0000000',
        size: '16MiB',
        priority: -1,
        children: [
          { type: 'IO', name: 'uart', device: 'uart16550', offset: '0x1000' },
          { type: 'Alias', name: 'uart-mirror', target: 'uart', size: 8, offset: '0x2000' },
          {
            type: 'IO',
            name: 'net',
            offset: '0x10000',
            device: { model: 'virtio-mmio', deviceId: 1 },
          },
        ],
      },
      { type: 'Ram', name: 'rom', mapping: 'rom', offset: '0xFFFF0000' },
    ],
  },
  pam: { target: 'ram', priority: 1 },
  barWindow: { container: 'hole', offset: '0x10000', slotSize: '0x1000', slots: 16, bars: ['net'] },
  targets: {
    ram: [{ region: 'low', offset: '0x1000', size: '0x10000' }],
    mmio: ['uart-mirror', 'net'],
  },
});

let machine: Machine | undefined;
afterEach(() => {
  machine?.dispose();
  machine = undefined;
});
const build = (file: Json): Machine => {
  machine = buildMachine(parseMachineFile(file));
  return machine;
};

/** The one-line error of reading and building `file` after `change`. */
function failure(change: (f: Json) => void): string {
  const file = board();
  change(file);
  try {
    build(file);
  } catch (e) {
    expect(e).toBeInstanceOf(MachineConfigError);
    return (e as Error).message;
  }
  throw new Error('the machine file was accepted');
}

describe('a board built with every feature', () => {
  it('fills the mapping, then writes its content', () => {
    const m = build(board());
    expect(m.memory.readU8(0xffff_0000)).toBe(0xff);
    expect(m.memory.readU16(0xffff_fff0)).toBe(0x5bea);
    expect(m.mappings.get('rom')!.readOnly).toBe(true);
  });

  it('adds PAM windows that the alias churn switches, off at reset', () => {
    const m = build(board());
    expect(m.targets.toggleableAliases.map((r) => r.name)).toEqual(
      Array.from({ length: 13 }, (_, i) => `pam${i}`),
    );
    expect(() => m.memory.readU8(0xc0000)).toThrow('Failed to find matched region, addr 0xC0000');
    m.mappings.get('ram')!.bytes[0xc0000] = 0x42;
    m.setAliasEnabled('pam0', true);
    expect([m.pam?.mode(0), m.memory.readU8(0xc0000)]).toEqual(['ram', 0x42]);
  });

  it('places the BAR in its slot and moves it between slots', () => {
    const m = build(board());
    expect([m.targets.barSlots?.slots.length, m.targets.barSlots?.devices]).toEqual([16, ['net']]);
    m.moveBar('net', 3);
    expect([m.bars?.slotOf('net'), m.memory.readU32(0xe001_3000, 'MMIO')]).toEqual([3, 0x74726976]);
  });

  it('drives the RAM and the registers the file names, in its order', () => {
    const t = build(board()).targets;
    expect(t.ramRanges).toEqual([{ base: 0x1000, size: 0x10000, region: 'low' }]);
    expect(t.mmio.map((x) => [x.device, x.space, x.base, x.size])).toEqual([
      ['uart', 'memory', 0xe000_2000, 8],
      ['net', 'memory', 0xe001_0000, 0x200],
    ]);
  });
});

describe('bad board features: one line naming the field', () => {
  const cases: [string, (f: Json) => void, string][] = [
    [
      'content that is not hex bytes',
      (f) => void (f.mappings.rom.content[0].hex = 'EA5'),
      'mappings.rom.content[0].hex: must be pairs of hex digits, such as "55AA"',
    ],
    [
      'content past the mapping',
      (f) => void (f.mappings.rom.content[0].offset = '0xFFFF'),
      'mappings.rom.content[0].offset: 0xFFFF + 2 bytes passes the end of the mapping (size 0x10000)',
    ],
    [
      'a fill that is not a byte',
      (f) => void (f.mappings.rom.fill = 256),
      'mappings.rom.fill: must be a byte (0 to 0xFF), got 0x100',
    ],
    ['an unknown PAM field', (f) => void (f.pam.prio = 1), 'pam.prio: unknown field'],
    [
      'a PAM target that does not exist',
      (f) => void (f.pam.target = 'nope'),
      'pam.target: no region named "nope"',
    ],
    [
      'a PAM target smaller than 1 MiB',
      (f) => void (f.pam.target = 'rom'),
      'pam.target: the windows end at 0x100000: "rom" (size 0x10000) and the memory root (size 0x100000000) must reach it',
    ],
    [
      'a PAM target that is the memory root',
      (f) => void (f.pam.target = 'sys'),
      'pam.target: "sys" leads back to the memory root: the windows would show themselves',
    ],
    [
      'a region already named like a PAM window',
      (f) => {
        f.memory.children[1].children[1].name = 'pam3';
        f.targets.mmio = ['net'];
      },
      'pam: the windows are named pam0 to pam12, and "pam3" is already the name of memory.children[1].children[1]',
    ],
    [
      'a BAR window in no container',
      (f) => void (f.barWindow.container = 'ram'),
      'barWindow.container: no region named "ram" in memory',
    ],
    [
      'a BAR window in an alias',
      (f) => void (f.barWindow.container = 'low'),
      'barWindow.container: "low" must be a Container',
    ],
    [
      'more slots than the container holds',
      (f) => void (f.barWindow.slots = 4096),
      'barWindow.slots: 4096 slots of 0x1000 from 0x10000 pass the end of "hole" (size 0x1000000)',
    ],
    [
      'a BAR that is not in the container',
      (f) => void (f.barWindow.bars = ['low']),
      'barWindow.bars[0]: "low" is not a child of "hole"',
    ],
    [
      'a BAR between slots',
      (f) => void (f.barWindow.bars = ['net', 'uart']),
      'barWindow.bars[1]: "uart" at offset 0x1000 does not start a slot of the window',
    ],
    [
      'a BAR larger than a slot',
      (f) => void (f.barWindow.slotSize = '0x100'),
      'barWindow.bars[0]: "net" (size 0x200) does not fit in a slot of 0x100',
    ],
    [
      'two BARs in one slot',
      (f) => {
        f.memory.children[1].children.push({
          type: 'IO',
          name: 'net2',
          offset: '0x10000',
          device: { model: 'virtio-mmio', deviceId: 1 },
        });
        f.barWindow.bars.push('net2');
      },
      'barWindow.bars[1]: "net2" is in slot 0, which holds "net"',
    ],
    [
      'target RAM in no address space',
      (f) => void (f.targets.ram[0].region = 'ram'),
      'targets.ram[0].region: no region named "ram" in memory',
    ],
    [
      'target RAM past its region',
      (f) => void (f.targets.ram[0].size = '1MiB'),
      'targets.ram[0].size: offset 0x1000 + size 0x100000 passes the end of "low" (size 0xC0000)',
    ],
    [
      'target RAM that is not RAM',
      (f) => void (f.targets.ram[0].region = 'hole'),
      'targets.ram[0]: 0xE0001000 + size 0x10000 (offset 0x1000 in "hole") is not guest RAM',
    ],
    [
      'an MMIO target that is no device',
      (f) => void (f.targets.mmio = ['low']),
      'targets.mmio[0]: "low" is not a device, nor an alias of one',
    ],
    [
      'an MMIO target through part of a device',
      (f) => void (f.memory.children[1].children[1].size = 4),
      'targets.mmio[0]: alias "uart-mirror" must show all of device "uart" (aliasOffset 0, size 0x8)',
    ],
    [
      'an MMIO target in no address space',
      (f) => void (f.targets.mmio = ['ram']),
      'targets.mmio[0]: no region named "ram" in memory or io',
    ],
  ];
  it.each(cases)('%s', (_, change, message) => {
    expect(failure(change)).toBe(message);
  });
});
