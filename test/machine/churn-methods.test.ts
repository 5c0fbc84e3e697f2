/**
 * The machine's churn methods, one per churn kind, on the built-in pc and on a machine
 * file without PAM windows or a BAR window. Each makes one published change through the
 * board's own objects, or throws a typed error having changed nothing.
 *
 *   0xCC000     pam3          (PAM window 3, off at reset: the option ROM shows through)
 *   0xFEB00000  slot 0        virtio-mmio.0      slot 1021 0xFEB7FA00 (free)
 *   0xFEB00200  slot 1        virtio-mmio.1
 *   0xFFE00000  pc.flash      (romd on: reads come from the mapping)
 *   0x100000000 hotplug       64 slots of 2 MiB, all empty
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostMemMapping } from '../../src/host/mapping.js';
import { buildMachine } from '../../src/machine/build.js';
import { churnablesOf } from '../../src/machine/churnables.js';
import type { Machine, ReclaimNotifier } from '../../src/machine/machine.js';
import { parseMachineFile } from '../../src/machine/machine-file.js';
import { buildPcMachine, type PcMachine } from '../../src/machine/pc.js';

const SMALL = new URL('./fixtures/small.json', import.meta.url);

let built: Machine[] = [];
afterEach(() => {
  for (const m of built) m.dispose();
  built = [];
});
function pc(): PcMachine {
  const m = buildPcMachine();
  built.push(m);
  return m;
}
/** test/machine/fixtures/small.json, edited by `change` first. */
function small(change: (file: Record<string, unknown>) => void = () => {}): Machine {
  const file = JSON.parse(readFileSync(SMALL, 'utf8'));
  change(file);
  const m = buildMachine(parseMachineFile(file));
  built.push(m);
  return m;
}
const ownerAt = (m: Machine, gpa: number) => m.memory.flatView.findFlatRange(gpa)?.owner.name;
const generation = (m: Machine) => m.memory.flatView.generation;

/** A notifier that keeps each unplugged mapping and its release until `reclaimAll`. */
function heldReclaims() {
  const held: { mapping: HostMemMapping; release: () => void }[] = [];
  const notifier: ReclaimNotifier = {
    whenReclaimed: (mapping, release) => void held.push({ mapping, release }),
  };
  return {
    notifier,
    held,
    reclaimAll: () => {
      for (const h of held.splice(0)) h.release();
    },
  };
}

describe('hotplug: setHotplugSlot', () => {
  it('plugs a block, unplugs it, and pools its mapping only when the notifier says', () => {
    const m = pc();
    const { notifier, held, reclaimAll } = heldReclaims();
    const g = generation(m);
    m.setHotplugSlot(5, true, notifier);
    expect(ownerAt(m, 0x1_00a0_0000)).toBe('hotplug.slot5');
    m.setHotplugSlot(5, false, notifier);
    expect(ownerAt(m, 0x1_00a0_0000)).toBeUndefined();
    expect([held.length, m.hotplug.pool.freeCount]).toEqual([1, 0]);
    reclaimAll();
    expect(m.hotplug.pool.freeCount).toBe(1);
    expect(generation(m)).toBe(g + 2);
  });

  it('refuses an empty, busy or missing slot, and a machine without a hotplug area', () => {
    const m = pc();
    const { notifier } = heldReclaims();
    m.setHotplugSlot(0, true, notifier);
    const g = generation(m);
    expect(() => m.setHotplugSlot(0, true, notifier)).toThrowError(
      expect.objectContaining({
        code: 'RegionInUse',
        message: 'hotplug slot 0 already holds a block',
      }),
    );
    expect(() => m.setHotplugSlot(1, false, notifier)).toThrowError(
      expect.objectContaining({ code: 'RegionNotFound', message: 'hotplug slot 1 holds no block' }),
    );
    expect(() => m.setHotplugSlot(64, true, notifier)).toThrow(
      'hotplug slot must be an integer from 0 to 63, got 64',
    );
    expect(generation(m)).toBe(g);
    const bare = small((f) => {
      delete f.hotplug;
    });
    expect(() => bare.setHotplugSlot(0, true, notifier)).toThrowError(
      expect.objectContaining({
        code: 'RegionNotFound',
        message: 'the machine has no hotplug area',
      }),
    );
  });
});

describe('bar: moveBar', () => {
  it('moves a BAR through the window, which keeps its slot, and refuses a taken slot', () => {
    const m = pc();
    const g = generation(m);
    m.moveBar('virtio-mmio.1', 1021);
    expect([
      m.barSlotOf('virtio-mmio.1'),
      ownerAt(m, 0xfeb7_fa00),
      ownerAt(m, 0xfeb0_0200),
    ]).toEqual([1021, 'virtio-mmio.1', undefined]);
    expect(() => m.moveBar('virtio-mmio.0', 1021)).toThrowError(
      expect.objectContaining({
        code: 'RegionInUse',
        message: 'BAR slot 1021 holds virtio-mmio.1',
      }),
    );
    m.moveBar('virtio-mmio.1', 1);
    expect(ownerAt(m, 0xfeb0_0200)).toBe('virtio-mmio.1');
    expect(generation(m)).toBe(g + 2);
  });

  it('refuses a machine without a BAR window', () => {
    expect(() => small().moveBar('virtio0', 1)).toThrowError(
      expect.objectContaining({ code: 'RegionNotFound', message: 'the machine has no BAR window' }),
    );
  });
});

describe('romd: setFlashRomd', () => {
  it('switches the flash to MMIO mode and back; reads still see the image', () => {
    const m = pc();
    const g = generation(m);
    m.setFlashRomd('pc.flash', false);
    expect(m.memory.flatView.findFlatRange(0xffe0_0000)?.romd).toBe(false);
    expect(m.memory.flatView.findFlatRange(0xffff0)?.romd).toBe(false); // isa-bios alias
    expect(m.memory.readU8(0xffe0_0000, 'MMIO')).toBe(0x50); // 'P' of PCFLASH1, from the device
    m.setFlashRomd('pc.flash', true);
    expect(m.memory.flatView.findFlatRange(0xffe0_0000)?.romd).toBe(true);
    expect(generation(m)).toBe(g + 2);
  });

  it('refuses a region that is not a flash', () => {
    const m = pc();
    expect(() => m.setFlashRomd('pc.rom', false)).toThrowError(
      expect.objectContaining({
        code: 'RegionNotFound',
        message: 'the machine has no flash named pc.rom',
      }),
    );
  });
});

describe('alias: setAliasEnabled', () => {
  it('switches a PAM window through the PAM: RAM over the option ROM, then back', () => {
    const m = pc();
    const g = generation(m);
    expect(ownerAt(m, 0xcc000)).toBe('pc.rom');
    m.setAliasEnabled('pam3', true);
    expect([m.pamMode(3), ownerAt(m, 0xcc000)]).toEqual(['ram', 'pc.ram.0']);
    m.setAliasEnabled('pam3', false);
    expect([m.pamMode(3), ownerAt(m, 0xcc000)]).toEqual(['pci', 'pc.rom']);
    expect(generation(m)).toBe(g + 2);
  });

  it('refuses an alias the board does not switch (on the pc: any but the PAM windows)', () => {
    const m = pc();
    expect(() => m.setAliasEnabled('ram-below-4g', false)).toThrowError(
      expect.objectContaining({
        code: 'RegionNotFound',
        message: 'the machine has no toggleable alias named ram-below-4g',
      }),
    );
  });

  it('without PAM windows, switches any alias of a machine file', () => {
    const m = small();
    expect(ownerAt(m, 0x8000_0000)).toBe('ram');
    m.setAliasEnabled('ram-mirror', false);
    expect(ownerAt(m, 0x8000_0000)).toBeUndefined();
  });
});

describe('ioeventfd: setIoeventfdsEnabled', () => {
  it('refuses a region built without ioeventfds', () => {
    expect(() => pc().setIoeventfdsEnabled('serial0', false)).toThrowError(
      expect.objectContaining({
        code: 'RegionNotFound',
        message: 'no region named serial0 carries ioeventfds',
      }),
    );
  });
});

describe('churnablesOf: what a machine offers each kind, as plain data', () => {
  it('the pc: 64 hotplug slots, a BAR window of 2040 slots, the flash, 13 PAM windows', () => {
    const c = churnablesOf(pc());
    expect(c.hotplugSlots).toBe(64);
    expect(c.barWindow).toEqual({
      windowBase: 0xfeb0_0000,
      slotSize: 0x200,
      slotCount: 2040,
      bars: [
        { name: 'virtio-mmio.0', slot: 0 },
        { name: 'virtio-mmio.1', slot: 1 },
      ],
    });
    expect(c.flash).toEqual([{ name: 'pc.flash', romd: true }]);
    expect(c.aliases.slice(11)).toEqual([
      { name: 'pam11', enabled: false, range: { base: 0xec000, size: 0x4000 } },
      { name: 'pam12', enabled: false, range: { base: 0xf0000, size: 0x10000 } },
    ]);
    expect(c.ioeventfdRegions).toEqual(['virtio-mmio.0', 'virtio-mmio.1']);
  });

  it('a machine file: every alias (one in io), doorbells of the memory space only', () => {
    expect(churnablesOf(small())).toEqual({
      hotplugSlots: 8,
      barWindow: undefined,
      flash: [{ name: 'flash', romd: true }],
      aliases: [
        { name: 'ram-mirror', enabled: true, range: { base: 0x8000_0000, size: 0x10_0000 } },
        { name: 'com1', enabled: true, range: { base: 0x3f8, size: 8 } },
      ],
      ioeventfdRegions: ['virtio0'],
    });
  });
});

describe('dispose', () => {
  it('gives back plugged hotplug blocks too', () => {
    const m = pc();
    const block = m.plugBlock(2);
    m.dispose();
    expect(block.mapping?.isReleased).toBe(true);
  });
});
