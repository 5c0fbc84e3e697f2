/**
 * Churn operations applied to the built-in pc machine: what it offers each kind, and what
 * each operation does to the published view. A refused operation changes nothing, and an
 * unplugged block goes back to the pool only after its grace period.
 *
 *   0xFEB00000  slot 0    virtio-mmio.0  ⇄ slot 1020 0xFEB7F800
 *   0xFEB00200  slot 1    virtio-mmio.1  ⇄ slot 1021 0xFEB7FA00
 *   0x100000000 hotplug: 8 churned slots of 2 MiB, all plugged at the start
 */
import { describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../src/concurrent/publication/publisher.js';
import { buildPcMachine } from '../../src/machine/pc.js';
import {
  applyChurnOp,
  churnTargetsOf,
  plugChurnedHotplugSlots,
  warmHotplugPool,
} from '../../src/sim/churn-apply.js';
import { ChurnSchedule } from '../../src/sim/churn-schedule.js';

const MiB = 2 ** 20;
const HOTPLUG = 0x1_0000_0000;

function pc() {
  const machine = buildPcMachine();
  plugChurnedHotplugSlots(machine);
  const publisher = SharedViewPublisher.attachTo(machine.memory, { strategy: 'rcu', check: true });
  return { machine, publisher, memory: machine.memory };
}

describe('churn on the pc machine', () => {
  it('offers 8 hotplug slots, two BARs with two slots each, the flash, 13 PAM windows, 2 doorbell sets', () => {
    const { machine } = pc();
    expect(churnTargetsOf(machine)).toEqual({
      hotplugSlots: 8,
      bar: [
        { name: 'virtio-mmio.0', slots: [0, 1020], slot: 0 },
        { name: 'virtio-mmio.1', slots: [1, 1021], slot: 1 },
      ],
      flash: [{ name: 'pc.flash', romd: true }],
      aliases: Array.from({ length: 13 }, (_, i) => ({ name: `pam${i}`, enabled: false })),
      ioeventfdRegions: ['virtio-mmio.0', 'virtio-mmio.1'],
    });
    expect(machine.hotplug!.plugged().map((b) => b.gpa)).toEqual(
      Array.from({ length: 8 }, (_, i) => HOTPLUG + i * 2 * MiB),
    );
  });

  it('hotplug: unplug removes the block; its mapping is pooled only after the grace period', async () => {
    const { machine, publisher, memory } = pc();
    const pool = machine.hotplug!.pool;
    const free = pool.freeCount;
    const slot3 = HOTPLUG + 3 * 2 * MiB;
    memory.writeU32(slot3, 0x1234);
    applyChurnOp(machine, publisher, { seq: 0, kind: 'hotplug', action: 'unplug', slot: 3 });
    expect(memory.addressInMemory(slot3, 4)).toBe(false);
    expect(pool.freeCount).toBe(free);
    await publisher.synchronize();
    await Promise.resolve();
    expect(pool.freeCount).toBe(free + 1);
    applyChurnOp(machine, publisher, { seq: 1, kind: 'hotplug', action: 'plug', slot: 3 });
    expect(memory.readU32(slot3)).toBe(0); // a plugged block reads zero, never poison
    expect(publisher.stats().poisonedMappings).toBe(1);
  });

  it('bar, romd, alias and ioeventfd each publish one change', () => {
    const { machine, publisher, memory } = pc();
    const generation = () => memory.flatView.generation;
    const g0 = generation();
    applyChurnOp(machine, publisher, {
      seq: 0,
      kind: 'bar',
      device: 'virtio-mmio.0',
      fromSlot: 0,
      toSlot: 1020,
    });
    expect(memory.readU32(0xfeb7_f800, 'MMIO')).toBe(0x74726976); // "virt"
    expect(() => memory.readU32(0xfeb0_0000, 'MMIO')).toThrowError(
      expect.objectContaining({ code: 'RegionNotFound' }),
    );
    applyChurnOp(machine, publisher, { seq: 1, kind: 'romd', region: 'pc.flash', romd: false });
    expect(machine.regions.get('pc.flash')!.getRomDeviceRomd()).toBe(false);
    applyChurnOp(machine, publisher, { seq: 2, kind: 'alias', region: 'pam3', enabled: true });
    expect(memory.flatView.findFlatRange(0xcc000)!.owner.name).toMatch(/^pc\.ram/);
    applyChurnOp(machine, publisher, {
      seq: 3,
      kind: 'ioeventfd',
      region: 'virtio-mmio.1',
      enabled: false,
    });
    const doorbells = memory.flatView.ioeventfds.map((e) => e.addrRange.base);
    expect(doorbells).toEqual([0xfeb7_f850]);
    expect(generation()).toBe(g0 + 4);
    expect(publisher.currentEpoch).toBe(5);
  });

  it('bar: after each of 200 scheduled moves, barSlotOf names the slot the tree has the BAR in', () => {
    const { machine, publisher, memory } = pc();
    const schedule = new ChurnSchedule({
      seed: 7,
      kinds: ['bar'],
      targets: churnTargetsOf(machine),
    });
    const slotGpa = (slot: number) => 0xfeb0_0000 + slot * 0x200;
    const seen = new Set<string>();
    for (const op of schedule.take(200)) {
      applyChurnOp(machine, publisher, op);
      for (const device of ['virtio-mmio.0', 'virtio-mmio.1']) {
        const slot = machine.barSlotOf(device);
        expect(memory.flatView.findFlatRange(slotGpa(slot))?.owner.name).toBe(device);
        seen.add(`${device}@${slot}`);
      }
    }
    expect([...seen].sort()).toEqual([
      'virtio-mmio.0@0',
      'virtio-mmio.0@1020',
      'virtio-mmio.1@1',
      'virtio-mmio.1@1021',
    ]);
    // The window knows where each BAR is: a move onto a taken slot is refused.
    const at = machine.barSlotOf('virtio-mmio.1');
    expect(() => machine.moveBar('virtio-mmio.0', at)).toThrow(
      `BAR slot ${at} holds virtio-mmio.1`,
    );
  });

  it('a refused operation throws its AddressSpaceError and changes nothing', () => {
    const { machine, publisher, memory } = pc();
    const before = memory.flatView.generation;
    expect(() =>
      applyChurnOp(machine, publisher, { seq: 0, kind: 'hotplug', action: 'plug', slot: 2 }),
    ).toThrowError(expect.objectContaining({ code: 'RegionInUse' }));
    expect(() =>
      applyChurnOp(machine, publisher, { seq: 1, kind: 'alias', region: 'nope', enabled: true }),
    ).toThrowError(expect.objectContaining({ code: 'RegionNotFound' }));
    expect(memory.flatView.generation).toBe(before);
  });

  it('warms spare blocks into the pool', () => {
    const { machine } = pc();
    const pool = machine.hotplug!.pool;
    const created = pool.created;
    warmHotplugPool(machine);
    expect([pool.freeCount, pool.created - created]).toEqual([8, 8]);
  });
});
