import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { RAM_BLOCK_SIZE, RamBlockPool } from '../../src/machine/devices/ram-block-pool.js';
import { HotplugArea } from '../../src/machine/hotplug.js';

const MiB = 2 ** 20;

describe('RamBlockPool', () => {
  it('hands out zero-filled 2 MiB mappings and reuses released ones', () => {
    const pool = new RamBlockPool();
    const a = pool.acquire();
    expect(a.size).toBe(RAM_BLOCK_SIZE);
    a.bytes[100] = 0xaa;
    pool.release(a);
    expect(pool.freeCount).toBe(1);
    const b = pool.acquire();
    expect(b).toBe(a);
    expect(b.bytes[100]).toBe(0);
    expect([pool.created, pool.reused, pool.inUseCount]).toEqual([1, 1, 1]);
  });

  it('refuses a mapping it did not hand out, and disposes its free list', () => {
    const pool = new RamBlockPool({ blockSize: MiB });
    const stranger = HostMemMapping.create({ size: MiB });
    expect(() => pool.release(stranger)).toThrow(/was not acquired from this pool/);
    const m = pool.acquire();
    pool.release(m);
    pool.dispose();
    expect(m.isReleased).toBe(true);
    expect(pool.freeCount).toBe(0);
  });
});

describe('HotplugArea', () => {
  /** 4 slots of 2 MiB at 0x100000000. */
  function setup() {
    const root = Region.initContainerRegion(2 ** 34, 'memory');
    const container = Region.initContainerRegion(4 * RAM_BLOCK_SIZE, 'hotplug');
    root.addSubregion(container, 2 ** 32);
    const as = new AddressSpace(root, 'memory');
    return { as, area: new HotplugArea(container, 2 ** 32, new RamBlockPool()) };
  }

  it('plugs a block that the guest sees as RAM at its slot, and unplugs it', () => {
    const { as, area } = setup();
    expect(area.slotCount).toBe(4);
    area.plugBlock(2);
    expect(area.gpaOf(2)).toBe(0x100400000);
    as.writeU64(0x100400008, 0x1122334455667788n);
    expect(as.readU64(0x100400008)).toBe(0x1122334455667788n);
    expect(as.addressInMemory(0x100400000, RAM_BLOCK_SIZE)).toBe(true);
    expect(area.plugged().map((s) => [s.slot, s.gpa, s.region.name])).toEqual([
      [2, 0x100400000, 'hotplug.slot2'],
    ]);

    const mapping = area.unplugBlock(2);
    expect(() => as.readU8(0x100400000)).toThrow(/Failed to find matched region, addr 0x100400000/);
    expect(mapping.isReleased).toBe(false); // readers may still use it until the grace period
    area.pool.release(mapping);
    area.plugBlock(0);
    expect(area.pool.reused).toBe(1);
    expect(as.readU64(0x100000008)).toBe(0n); // the reused block comes back zeroed
  });

  it('refuses a taken slot, an empty slot and a slot out of range, changing nothing', () => {
    const { as, area } = setup();
    area.plugBlock(1);
    const generation = as.flatView.generation;
    expect(() => area.plugBlock(1)).toThrow(/hotplug slot 1 already holds a block/);
    expect(() => area.unplugBlock(3)).toThrow(/hotplug slot 3 holds no block/);
    expect(() => area.plugBlock(4)).toThrow(/from 0 to 3, got 4/);
    expect(as.flatView.generation).toBe(generation);
    expect(area.pool.inUseCount).toBe(1);
  });
});

describe('RamBlockPool options', () => {
  it('needs a block size that is a multiple of 4 KiB', () => {
    expect(() => new RamBlockPool({ blockSize: 1000 })).toThrow(
      'Invalid argument: RAM block size must be a positive multiple of 4 KiB, got 1000',
    );
  });
});
