/**
 * Check-mode poison reaches only memory that was removed, never memory that is merely out
 * of sight. QEMU and StratoVirt keep a covered or disabled RAM region's contents: a PAM
 * window over the option ROM, a disabled DIMM. Poisoning those would report violations
 * (or corrupt the guest) when they come back.
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { POISON_U32 } from '../../../src/concurrent/reader/poison.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

// root 0x3000:  [ rom 0x1000 @0x1000, prio 0 ]   cover (prio 1) may sit on top of it
function setUp() {
  const root = Region.initContainerRegion(0x3000, 'root');
  const romMapping = HostMemMapping.create({ size: 0x1000, name: 'rom' });
  romMapping.bytes.fill(0x55);
  const rom = Region.initRamRegion(romMapping, 'rom');
  root.addSubregion(rom, 0x1000);
  const cover = Region.initRamRegion(HostMemMapping.create({ size: 0x1000 }), 'cover');
  cover.setPriority(1);
  const space = new AddressSpace(root, 'memory');
  const publisher = SharedViewPublisher.attachTo(space, { strategy: 'rcu', check: true });
  return { root, rom, romMapping, cover, space, publisher };
}

function firstWord(m: HostMemMapping): number {
  return new DataView(m.buffer).getUint32(0, true);
}

describe('check-mode poison and hidden memory', () => {
  test('a region covered by a higher-priority sibling keeps its contents', async () => {
    const { root, romMapping, cover, space, publisher } = setUp();
    root.addSubregion(cover, 0x1000);
    await space.synchronize();
    expect(firstWord(romMapping)).toBe(0x55555555);
    root.deleteSubregion(cover);
    await space.synchronize();
    expect(space.readU32(0x1000)).toBe(0x55555555);
    expect(publisher.stats().reclaimedMappings).toBe(1); // the cover, removed
  });

  test('a disabled region keeps its contents', async () => {
    const { rom, romMapping, space } = setUp();
    rom.setEnabled(false);
    await space.synchronize();
    expect(firstWord(romMapping)).toBe(0x55555555);
  });

  test('a removed region is poisoned once its grace period ends', async () => {
    const { root, rom, romMapping, space } = setUp();
    root.deleteSubregion(rom);
    await space.synchronize();
    expect(firstWord(romMapping)).toBe(POISON_U32);
  });

  test('a hidden region that is then removed is poisoned after the next publish', async () => {
    const { root, rom, romMapping, cover, space } = setUp();
    root.addSubregion(cover, 0x1000);
    await space.synchronize();
    root.deleteSubregion(rom); // the view does not change: nothing is published
    expect(firstWord(romMapping)).toBe(0x55555555);
    root.deleteSubregion(cover); // this publish retires the rom too
    await space.synchronize();
    expect(firstWord(romMapping)).toBe(POISON_U32);
  });
});
