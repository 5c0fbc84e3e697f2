import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import type { RegionOps } from '../../src/core/types.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { catchError, container, io, ram, recordingOps } from './helpers.js';

/** RAM 1000 at 0 and RAM 1000 at 2000 (SPEC 5 access example). */
function twoRams() {
  const root = container(8000, 'root');
  const ram1 = ram(1000, 'ram1');
  const ram2 = ram(1000, 'ram2');
  root.addSubregion(ram1, 0);
  root.addSubregion(ram2, 2000);
  return { root, ram1, ram2, space: new AddressSpace(root, 'memory') };
}

describe('SPEC 5 access example', () => {
  it('memory end, membership and host addresses', () => {
    const { space, ram1, ram2 } = twoRams();
    expect(space.memoryEndAddress()).toBe(3000);
    expect(space.addressInMemory(0, 0)).toBe(true);
    expect(space.addressInMemory(2900, 0)).toBe(true);
    expect(space.addressInMemory(1000, 0)).toBe(false);
    expect(space.addressInMemory(1500, 0)).toBe(false);
    expect(space.getHostAddress(500)).toBe(ram1.mapping!.hostAddress + 500);
    expect(space.getHostAddress(2500)).toBe(ram2.mapping!.hostAddress + 500);
    expect(space.getHostAddress(1500)).toBeUndefined();
  });

  it('writeU64(992) round-trips; writeU64(993) fails and byte 993 keeps its value', () => {
    const root = container(4000, 'root');
    root.addSubregion(ram(1000, 'ram'), 0);
    const space = new AddressSpace(root, 'memory');
    space.writeU64(992, 0x1122334455667788n);
    expect(space.readU64(992)).toBe(0x1122334455667788n);
    space.writeU8(993, 0x5a);
    const err = catchError(() => space.writeU64(993, 0xffffffffffffffffn));
    expect(err.code).toBe('RegionNotFound');
    expect(err.message).toBe('Failed to find matched region, addr 0x3E8');
    expect(space.readU8(993)).toBe(0x5a);
  });
});

describe('typed access', () => {
  it('is little-endian for every width', () => {
    const { space } = twoRams();
    space.writeU32(100, 0xdeadbeef);
    expect(space.readU8(100)).toBe(0xef);
    expect(space.readU16(100)).toBe(0xbeef);
    expect(space.readU32(100)).toBe(0xdeadbeef);
    space.writeU16(200, 0x1234);
    expect(space.readU8(201)).toBe(0x12);
    space.writeU64(300, 0x0102030405060708n);
    expect(space.readU32(300)).toBe(0x05060708);
  });

  it('RAM accesses span adjacent RAM pieces', () => {
    const root = container(4000, 'root');
    const a = ram(100, 'a');
    const b = ram(100, 'b');
    root.addSubregion(a, 0);
    root.addSubregion(b, 100);
    const space = new AddressSpace(root, 'memory');
    space.write(Uint8Array.of(1, 2, 3, 4), 98);
    expect(Array.from(a.mapping!.bytes.subarray(98, 100))).toEqual([1, 2]);
    expect(Array.from(b.mapping!.bytes.subarray(0, 2))).toEqual([3, 4]);
    const dst = new Uint8Array(4);
    space.read(dst, 98);
    expect(Array.from(dst)).toEqual([1, 2, 3, 4]);
  });

  it('a write that would cross into another region type changes nothing', () => {
    const root = container(4000, 'root');
    const a = ram(100, 'a');
    root.addSubregion(a, 0);
    root.addSubregion(io(100, 'dev'), 100);
    const space = new AddressSpace(root, 'memory');
    const err = catchError(() => space.write(Uint8Array.of(9, 9, 9, 9), 98));
    expect(err.code).toBe('RegionType');
    expect(err.message.startsWith('Wrong region type, mismatch region type')).toBe(true);
    expect(Array.from(a.mapping!.bytes.subarray(98, 100))).toEqual([0, 0]);
  });

  it('read-only RAM refuses writes through the RAM path', () => {
    const root = container(4000, 'root');
    root.addSubregion(ram(100, 'rom', true), 0);
    const space = new AddressSpace(root, 'memory');
    expect(catchError(() => space.writeU8(0, 1)).code).toBe('RegionType');
    expect(space.readU8(0)).toBe(0);
  });
});

describe('attributes', () => {
  function devices() {
    const root = container(0x10000, 'root');
    const dev = recordingOps();
    const romOps = recordingOps();
    const rom = Region.initRomDeviceRegion(HostMemMapping.create({ size: 0x100 }), romOps, 'flash');
    const ramd = Region.initRamDeviceRegion(HostMemMapping.create({ size: 0x100 }), 'bar');
    root.addSubregion(ram(0x1000, 'ram'), 0);
    root.addSubregion(Region.initIoRegion(0x100, dev, 'uart'), 0x2000);
    root.addSubregion(rom, 0x3000);
    root.addSubregion(ramd, 0x4000);
    return { space: new AddressSpace(root, 'memory'), dev, rom, romOps, ramd };
  }

  it('MMIO goes whole to the IO region with its base and offset', () => {
    const { space, dev } = devices();
    space.write(Uint8Array.of(1, 2), 0x2010, 'MMIO');
    const dst = new Uint8Array(2);
    space.read(dst, 0x2020, 'MMIO');
    expect(dev.log).toEqual(['write 1,2@16 base 8192', 'read 2@32 base 8192']);
    expect(Array.from(dst)).toEqual([0xee, 0xee]);
  });

  it('the wrong attribute for a region type is RegionType', () => {
    const { space } = devices();
    expect(catchError(() => space.readU8(0x2000, 'Ram')).code).toBe('RegionType');
    expect(catchError(() => space.readU8(0, 'MMIO')).code).toBe('RegionType');
    expect(catchError(() => space.readU8(0x4000, 'Ram')).code).toBe('RegionType');
    expect(space.readU8(0x4000, 'RamDevice')).toBe(0);
  });

  it('ROM device (SPEC 5): reads by romd whatever the attr, every write to the device', () => {
    const { space, rom, romOps } = devices();
    rom.mapping!.bytes[4] = 0x77;
    // romd on: RomDevice and RomDeviceForce reads come from the mapping; MMIO reads are refused
    expect(space.readU8(0x3004, 'RomDevice')).toBe(0x77);
    expect(space.readU8(0x3004, 'RomDeviceForce')).toBe(0x77);
    expect(catchError(() => space.readU8(0x3004, 'MMIO')).code).toBe('RegionType');
    // a RomDevice-attr write is refused; RomDeviceForce and MMIO writes go to the write op
    const refused = catchError(() => space.writeU8(0x3004, 1, 'RomDevice'));
    expect(refused.code).toBe('RegionType');
    expect(refused.message).toBe(
      'Wrong region type, Error write attr: write with RomDevice at 0x3004 (RomDevice region flash)',
    );
    space.writeU8(0x3004, 0x66, 'RomDeviceForce');
    space.writeU8(0x3008, 0x55, 'MMIO');
    expect(romOps.log).toEqual(['write 102@4 base 12288', 'write 85@8 base 12288']);
    expect(rom.mapping!.bytes[4]).toBe(0x77);
    // romd off: every read goes to the read op, whichever attr reached it
    rom.setRomDeviceRomd(false);
    romOps.log.length = 0;
    expect(space.readU8(0x3004, 'MMIO')).toBe(0xee);
    expect(space.readU8(0x3005, 'RomDevice')).toBe(0xee);
    expect(space.readU16(0x3006, 'RomDeviceForce')).toBe(0xeeee);
    space.writeU8(0x3004, 0x11, 'RomDeviceForce');
    expect(romOps.log).toEqual([
      'read 1@4 base 12288',
      'read 1@5 base 12288',
      'read 2@6 base 12288',
      'write 17@4 base 12288',
    ]);
    expect(rom.mapping!.bytes[4]).toBe(0x77);
  });

  it('IO regions have no host address; ROM and RAM devices have theirs by attribute', () => {
    const { space, rom, ramd } = devices();
    expect(space.getHostAddress(0x2000, 'MMIO')).toBeUndefined();
    expect(space.getHostAddress(0x2000, 'Ram')).toBeUndefined();
    expect(space.getHostAddress(0x3001, 'RomDevice')).toBe(rom.mapping!.hostAddress + 1);
    expect(space.getHostAddress(0x4002, 'RamDevice')).toBe(ramd.mapping!.hostAddress + 2);
    expect(space.getHostAddress(0x4002, 'Ram')).toBeUndefined();
  });

  it('ops that return false or throw fail with IoAccess; maxAccessSize splits', () => {
    const root = container(0x1000, 'root');
    const chunked = recordingOps(2);
    const refusing: RegionOps = { read: () => false, write: () => false };
    const throwing: RegionOps = {
      read: () => {
        throw new Error('boom');
      },
      write: () => true,
    };
    root.addSubregion(Region.initIoRegion(0x10, chunked, 'chunked'), 0x100);
    root.addSubregion(Region.initIoRegion(0x10, refusing, 'refusing'), 0x200);
    root.addSubregion(Region.initIoRegion(0x10, throwing, 'throwing'), 0x300);
    const space = new AddressSpace(root, 'io');
    space.write(Uint8Array.of(1, 2, 3, 4, 5), 0x102, 'MMIO');
    expect(chunked.log).toEqual([
      'write 1,2@2 base 256',
      'write 3,4@4 base 256',
      'write 5@6 base 256',
    ]);
    const refused = catchError(() => space.writeU32(0x204, 1, 'MMIO'));
    expect(refused.code).toBe('IoAccess');
    expect(refused.message).toBe(
      'Failed to access IO-type region, region base 0x200, offset 0x4, size 0x4',
    );
    const thrown = catchError(() => space.readU8(0x301, 'MMIO'));
    expect(thrown.code).toBe('IoAccess');
    expect((thrown.cause as Error).message).toBe('boom');
  });
});

describe('device access bounds (check_valid_offset)', () => {
  /** A 16-byte IO region at 0x100 and a 16-byte ROM device at 0x200 of a 0x1000 space. */
  function devices16() {
    const root = container(0x1000, 'root');
    const dev = recordingOps();
    const romOps = recordingOps();
    const rom = Region.initRomDeviceRegion(HostMemMapping.create({ size: 16 }), romOps, 'rom');
    root.addSubregion(Region.initIoRegion(16, dev, 'dev'), 0x100);
    root.addSubregion(rom, 0x200);
    return { space: new AddressSpace(root, 'io'), dev, rom, romOps };
  }

  it('writeU64(12) on a 16-byte IO region is Overflow and reaches nothing', () => {
    const { space, dev } = devices16();
    const err = catchError(() => space.writeU64(0x10c, 1n, 'MMIO'));
    expect(err.code).toBe('Overflow');
    expect(err.message).toBe(
      'Address overflows, addr is 0x10C: Invalid offset: offset 0xC, data length 0x8, region size 0x10 (IO region dev at 0x100)',
    );
    expect([err.address, err.size, err.regionBase, err.offset]).toEqual([0x10c, 8, 0x100, 0xc]);
    expect(dev.log).toEqual([]);
    space.writeU32(0x10c, 1, 'MMIO');
    expect(dev.log).toEqual(['write 1,0,0,0@12 base 256']);
  });

  it('IO reads are not checked: readU64(12) reaches the device', () => {
    const { space, dev } = devices16();
    expect(space.readU64(0x10c, 'MMIO')).toBe(0xeeeeeeeeeeeeeeeen);
    expect(dev.log).toEqual(['read 8@12 base 256']);
  });

  it('a RomDevice read or write past its end is Overflow in either romd mode', () => {
    const { space, rom, romOps } = devices16();
    rom.mapping!.bytes.set([1, 2, 3, 4], 12);
    expect(space.readU32(0x20c, 'RomDevice')).toBe(0x04030201);
    expect(catchError(() => space.readU64(0x20c, 'RomDevice')).code).toBe('Overflow');
    expect(catchError(() => space.readU64(0x20c, 'RomDeviceForce')).code).toBe('Overflow');
    expect(catchError(() => space.writeU64(0x20c, 1n, 'RomDeviceForce')).code).toBe('Overflow');
    expect(catchError(() => space.writeU64(0x20c, 1n, 'MMIO')).code).toBe('Overflow');
    rom.setRomDeviceRomd(false);
    expect(catchError(() => space.readU64(0x20c, 'MMIO')).code).toBe('Overflow');
    expect(catchError(() => space.readU64(0x20c, 'RomDevice')).code).toBe('Overflow');
    expect(romOps.log).toEqual([]);
    expect(space.readU32(0x20c, 'MMIO')).toBe(0xeeeeeeee);
    expect(romOps.log).toEqual(['read 4@12 base 512']);
  });
});

describe('region cache and address map', () => {
  it('caches the piece, hits in the same generation, falls back after a change', () => {
    const { root, space, ram1 } = twoRams();
    const cache = space.getRegionCache(100)!;
    expect(cache).toEqual({
      regType: 'Ram',
      hostBase: ram1.mapping!.hostAddress,
      start: 0,
      end: 1000,
      generation: space.flatView.generation,
    });
    expect(space.getHostAddressFromCache(300, cache)).toEqual([
      ram1.mapping!.hostAddress + 300,
      700,
    ]);
    // outside the cached piece: slow path
    const [host2, left2] = space.getHostAddressFromCache(2100, cache)!;
    expect(left2).toBe(900);
    expect(host2).toBe(space.getHostAddress(2100));
    // a higher-priority IO region now covers 0..500: the stale cache is not trusted
    root.addSubregion(io(500, 'cover', 1), 0);
    expect(space.getHostAddressFromCache(300, cache)).toBeUndefined();
    expect(space.getHostAddressFromCache(600, cache)).toEqual([
      ram1.mapping!.hostAddress + 600,
      400,
    ]);
  });

  it('is undefined for an IO piece, a type that does not match the attr, or a hole', () => {
    const root = container(0x10000, 'root');
    const ramRegion = ram(0x1000, 'ram');
    const rom = Region.initRomDeviceRegion(
      HostMemMapping.create({ size: 0x100 }),
      recordingOps(),
      'flash',
    );
    const ramd = Region.initRamDeviceRegion(HostMemMapping.create({ size: 0x100 }), 'bar');
    root.addSubregion(ramRegion, 0);
    root.addSubregion(io(0x100, 'uart'), 0x2000);
    root.addSubregion(rom, 0x3000);
    root.addSubregion(ramd, 0x4000);
    const space = new AddressSpace(root, 'memory');
    for (const attr of ['Ram', 'MMIO', 'RamDevice', 'RomDevice', 'RomDeviceForce'] as const) {
      expect(space.getRegionCache(0x2010, attr)).toBeUndefined();
      expect(space.getRegionCache(0x8000, attr)).toBeUndefined();
    }
    expect(space.getRegionCache(0x10, 'RamDevice')).toBeUndefined();
    expect(space.getRegionCache(0x10, 'MMIO')).toBeUndefined();
    expect(space.getRegionCache(0x3010, 'Ram')).toBeUndefined();
    expect(space.getRegionCache(0x4010, 'Ram')).toBeUndefined();
    const generation = space.flatView.generation;
    expect(space.getRegionCache(0x3010, 'RomDevice')).toEqual({
      regType: 'RomDevice',
      hostBase: rom.mapping!.hostAddress,
      start: 0x3000,
      end: 0x3100,
      generation,
    });
    expect(space.getRegionCache(0x4010, 'RamDevice')).toEqual({
      regType: 'RamDevice',
      hostBase: ramd.mapping!.hostAddress,
      start: 0x4000,
      end: 0x4100,
      generation,
    });
    // a Ram cache is not trusted for another attr: the slow path answers for that attr
    const ramCache = space.getRegionCache(0x10, 'Ram')!;
    expect(space.getHostAddressFromCache(0x20, ramCache, 'RamDevice')).toBeUndefined();
    expect(space.getHostAddressFromCache(0x20, ramCache, 'Ram')).toEqual([
      ramRegion.mapping!.hostAddress + 0x20,
      0xfe0,
    ]);
  });

  it('maps a span to host pieces or names the span that is not RAM', () => {
    const root = container(8000, 'root');
    const a = ram(100, 'a');
    const b = ram(100, 'b');
    root.addSubregion(a, 0);
    root.addSubregion(b, 100);
    const space = new AddressSpace(root, 'memory');
    expect(space.getAddressMap(undefined, 50, 100)).toEqual([
      { hostAddress: a.mapping!.hostAddress + 50, len: 50 },
      { hostAddress: b.mapping!.hostAddress, len: 50 },
    ]);
    const err = catchError(() => space.getAddressMap(undefined, 150, 100));
    expect(err.code).toBe('RegionNotFound');
    expect(err.message).toBe(
      'Failed to find matched region, addr 0xC8: span 0x96 + 0x64 has no Ram host memory at 0xC8',
    );
    expect(space.getAddressMap(undefined, 10, 0)).toEqual([]);
  });

  it('addressInMemory checks every byte of the span', () => {
    const { space } = twoRams();
    expect(space.addressInMemory(900, 100)).toBe(true);
    expect(space.addressInMemory(900, 101)).toBe(false);
    expect(space.addressInMemory(2000, 1000)).toBe(true);
  });

  it('memoryEndAddress is 0 without RAM and ignores other types', () => {
    const root = container(8000, 'root');
    root.addSubregion(io(100, 'dev'), 5000);
    expect(new AddressSpace(root, 'io').memoryEndAddress()).toBe(0);
  });
});
