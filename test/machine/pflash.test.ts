import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { Pflash } from '../../src/machine/devices/pflash.js';

const FLASH_BASE = 0x10000;
const BLOCK = 0x10000;

/** A 128 KiB flash (two 64 KiB blocks) at 0x10000 of a 256 KiB address space. */
function setup(options: { readOnly?: boolean } = {}) {
  const mapping = HostMemMapping.create({ size: 2 * BLOCK, name: 'flash' });
  mapping.bytes.forEach((_, i) => {
    mapping.bytes[i] = i & 0xff;
  });
  const flash = new Pflash(mapping, { blockSize: BLOCK, ...options });
  const region = Region.initRomDeviceRegion(mapping, flash, 'flash');
  flash.attach(region);
  const root = Region.initContainerRegion(0x40000, 'root');
  root.addSubregion(region, FLASH_BASE);
  const as = new AddressSpace(root, 'memory');
  return { as, flash, region, mapping };
}

describe('pflash romd switching', () => {
  it('reads the array through the mapping while romd is on; MMIO reads are refused', () => {
    const { as, region } = setup();
    expect(region.getRomDeviceRomd()).toBe(true);
    expect(as.readU32(FLASH_BASE + 0x10, 'RomDevice')).toBe(0x13121110);
    expect(() => as.readU8(FLASH_BASE, 'MMIO')).toThrow(/mismatch region type/);
  });

  it('a command write turns romd off: MMIO reads return status; 0xFF turns it back on', () => {
    const { as, flash, region } = setup();
    as.writeU8(FLASH_BASE, 0x70, 'MMIO'); // read status
    expect(region.getRomDeviceRomd()).toBe(false);
    expect(flash.mode).toBe('read-status');
    expect(as.readU8(FLASH_BASE + 0x1234, 'MMIO')).toBe(0x80);
    expect(as.flatView.findFlatRange(FLASH_BASE)?.romd).toBe(false);

    as.writeU8(FLASH_BASE, 0xff, 'MMIO'); // read array
    expect(region.getRomDeviceRomd()).toBe(true);
    expect(as.readU8(FLASH_BASE + 0x1234, 'RomDevice')).toBe(0x34);
    expect(() => as.readU8(FLASH_BASE, 'MMIO')).toThrow(/mismatch region type/);
  });

  it('read identifier and CFI query', () => {
    const { as } = setup();
    as.writeU8(FLASH_BASE, 0x90, 'MMIO');
    expect(as.readU8(FLASH_BASE, 'MMIO')).toBe(0x89);
    expect(as.readU8(FLASH_BASE + 1, 'MMIO')).toBe(0x18);
    as.writeU8(FLASH_BASE, 0x98, 'MMIO');
    const qry = new Uint8Array(3);
    as.read(qry, FLASH_BASE + 0x10, 'MMIO');
    expect(Buffer.from(qry).toString('latin1')).toBe('QRY');
    expect(as.readU8(FLASH_BASE + 0x27, 'MMIO')).toBe(17); // 2**17 bytes
    expect(as.readU8(FLASH_BASE + 0x2d, 'MMIO')).toBe(1); // two blocks - 1
    expect(as.readU8(FLASH_BASE + 0x30, 'MMIO')).toBe(1); // 64 KiB / 256 = 0x100
  });

  it('erases a block and programs bytes (AND), then shows them in read-array mode', () => {
    const { as, flash } = setup();
    as.writeU8(FLASH_BASE + BLOCK + 5, 0x20, 'MMIO');
    as.writeU8(FLASH_BASE + BLOCK + 5, 0xd0, 'MMIO');
    expect(as.readU8(FLASH_BASE + BLOCK, 'MMIO')).toBe(0x80); // status: ready
    as.writeU8(FLASH_BASE + BLOCK, 0x40, 'MMIO');
    as.writeU16(FLASH_BASE + BLOCK, 0x1234, 'MMIO');
    as.writeU8(FLASH_BASE, 0x40, 'MMIO');
    as.writeU8(FLASH_BASE + 3, 0xf0, 'MMIO'); // 0x03 & 0xF0 = 0
    as.writeU8(FLASH_BASE, 0xff, 'MMIO');
    expect(as.readU16(FLASH_BASE + BLOCK, 'RomDevice')).toBe(0x1234);
    expect(as.readU8(FLASH_BASE + BLOCK + 2, 'RomDevice')).toBe(0xff);
    expect(as.readU8(FLASH_BASE + 3, 'RomDevice')).toBe(0x00);
    expect(as.readU8(FLASH_BASE + 4, 'RomDevice')).toBe(0x04); // block 0 was not erased
    expect([flash.erases, flash.programs]).toEqual([1, 2]);
  });

  it('a bad erase confirm or a read-only flash reports errors in the status', () => {
    const { as } = setup();
    as.writeU8(FLASH_BASE, 0x20, 'MMIO');
    as.writeU8(FLASH_BASE, 0x00, 'MMIO');
    expect(as.readU8(FLASH_BASE, 'MMIO')).toBe(0xb0); // command sequence error
    as.writeU8(FLASH_BASE, 0x50, 'MMIO'); // clear status, read array
    expect(as.readU8(FLASH_BASE, 'RomDevice')).toBe(0x00);

    const ro = setup({ readOnly: true });
    ro.as.writeU8(FLASH_BASE, 0x40, 'MMIO');
    ro.as.writeU8(FLASH_BASE + 1, 0x00, 'MMIO');
    expect(ro.as.readU8(FLASH_BASE, 'MMIO')).toBe(0x92); // program error, locked
    ro.as.writeU8(FLASH_BASE, 0xff, 'MMIO');
    expect(ro.as.readU8(FLASH_BASE + 1, 'RomDevice')).toBe(0x01);
  });

  it('refuses a block size that does not divide the flash, and a non-RomDevice region', () => {
    const mapping = HostMemMapping.create({ size: 0x30000, name: 'odd' });
    expect(() => new Pflash(mapping, { blockSize: 0x20000 })).toThrow(/blockSize/);
    const flash = new Pflash(mapping);
    expect(() => flash.attach(Region.initRamRegion(mapping, 'ram'))).toThrow(/RomDevice/);
  });
});
