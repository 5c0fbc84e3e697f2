/**
 * AddressSpaceError carries what it is about as named fields (SPEC 6), so callers match on
 * `code`, `address`, `size` instead of parsing the message.
 */
import { describe, expect, it } from 'vitest';
import { AddressSpace, AddressSpaceError, HostMemMapping, Region } from '../../src/index.js';

function caught(fn: () => unknown): AddressSpaceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AddressSpaceError) return e;
    throw e;
  }
  throw new Error('expected an AddressSpaceError');
}

describe('AddressSpaceError fields', () => {
  it('RegionNotFound names the address', () => {
    const e = AddressSpaceError.regionNotFound(0x7f00040);
    expect(e.code).toBe('RegionNotFound');
    expect(e.address).toBe(0x7f00040);
    expect(e.size).toBeUndefined();
    expect(e.message).toBe('Failed to find matched region, addr 0x7F00040');
  });

  it('Overflow names the address and, where given, the size', () => {
    const e = AddressSpaceError.overflow(0x10, 'span', 8);
    expect([e.code, e.address, e.size]).toEqual(['Overflow', 0x10, 8]);
    expect(e.message).toBe('Address overflows, addr is 0x10: span');
  });

  it('IoAccess names region base, offset, size and the address they make', () => {
    const cause = new Error('device said no');
    const e = AddressSpaceError.ioAccess(0x1000, 0x20, 4, cause);
    expect([e.code, e.regionBase, e.offset, e.size, e.address]).toEqual([
      'IoAccess',
      0x1000,
      0x20,
      4,
      0x1020,
    ]);
    expect(e.cause).toBe(cause);
  });

  it('an unmapped access from the address space carries the address', () => {
    const root = Region.initContainerRegion(0x10000, 'root');
    root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: 0x1000 }), 'ram'), 0);
    const space = new AddressSpace(root, 'mem');
    const e = caught(() => space.readU32(0x2000));
    expect([e.code, e.address]).toEqual(['RegionNotFound', 0x2000]);
  });

  it('an address past 2**53 is Overflow with the address field set to the limit-checked value', () => {
    const root = Region.initContainerRegion(0x10000, 'root');
    const space = new AddressSpace(root, 'mem');
    const e = caught(() => space.readU8(2 ** 53 + 2));
    expect(e.code).toBe('Overflow');
    expect(e.address).toBe(2 ** 53 + 2);
  });
});
