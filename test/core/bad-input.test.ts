/**
 * Bad input for every public entry of the core: the expected error code, and the tree,
 * the view and the listeners exactly as before the call.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/base/errors.js';
import { AddressSpace } from '../../src/core/address-space.js';
import type { Listener } from '../../src/core/listeners.js';
import { Region } from '../../src/core/region.js';
import type { AddressAttr, RegionOps } from '../../src/core/types.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { catchError, container, io, MirrorListener, ram, recordingOps } from './helpers.js';

/** Not an address: [value, code]. */
const BAD_NUMBERS: [unknown, ErrorCode][] = [
  [Number.NaN, 'InvalidArgument'],
  [-1, 'InvalidArgument'],
  [1.5, 'InvalidArgument'],
  ['16', 'InvalidArgument'],
  [16n, 'InvalidArgument'],
  [undefined, 'InvalidArgument'],
  [2 ** 53 + 2, 'Overflow'],
  [Number.POSITIVE_INFINITY, 'Overflow'],
];
const BAD_PRIORITIES: unknown[] = [Number.NaN, 1.5, '1', 2 ** 60, undefined];

function world() {
  const root = container(0x10000, 'root');
  const ramRegion = ram(0x1000, 'ram');
  const box = container(0x1000, 'box');
  root.addSubregion(ramRegion, 0);
  root.addSubregion(box, 0x8000);
  const dev = io(0x100, 'dev');
  box.addSubregion(dev, 0x10);
  const space = new AddressSpace(root, 'memory');
  const listener = new MirrorListener();
  space.registerListener(listener);
  listener.log.length = 0;
  const snapshot = () => ({
    view: space.flatView,
    tree: root.mtree(0),
    log: listener.log.join(' '),
    bytes: Array.from(ramRegion.mapping!.bytes.subarray(0, 16)).join(','),
  });
  const before = snapshot();
  const expectFails = (code: ErrorCode, fn: () => unknown) => {
    expect(catchError(fn).code).toBe(code);
    const after = snapshot();
    expect(after.view).toBe(before.view);
    expect(after).toEqual(before);
  };
  return { root, ramRegion, box, dev, space, listener, expectFails };
}

describe('bad input leaves everything as it was', () => {
  it('region constructors', () => {
    const { expectFails } = world();
    const mapping = HostMemMapping.create({ size: 16 });
    for (const [bad, code] of BAD_NUMBERS) {
      expectFails(code, () => Region.initIoRegion(bad as number, recordingOps(), 'x'));
      expectFails(code, () => Region.initContainerRegion(bad as number, 'x'));
      expectFails(code, () => Region.initAliasRegion(io(16, 't'), bad as number, 1, 'x'));
      expectFails(code, () => Region.initAliasRegion(io(16, 't'), 0, bad as number, 'x'));
    }
    expectFails('InvalidArgument', () => Region.initRamRegion({} as HostMemMapping, 'x'));
    expectFails('InvalidArgument', () => Region.initRamRegion(mapping, 7 as unknown as string));
    expectFails('InvalidArgument', () =>
      Region.initRamDeviceRegion(null as unknown as HostMemMapping, 'x'),
    );
    expectFails('InvalidArgument', () => Region.initRomDeviceRegion(mapping, {} as RegionOps, 'x'));
    expectFails('InvalidArgument', () =>
      Region.initIoRegion(16, { ...recordingOps(), maxAccessSize: 0 }, 'x'),
    );
    expectFails('InvalidArgument', () => Region.initAliasRegion({} as Region, 0, 1, 'x'));
    expectFails('Overflow', () => Region.initAliasRegion(io(16, 't'), 8, 9, 'x'));
    const released = HostMemMapping.create({ size: 16 });
    released.release();
    expectFails('InvalidArgument', () => Region.initRamRegion(released, 'x'));
  });

  it('addSubregion / addSubregionNotUpdate / deleteSubregion', () => {
    const { root, box, dev, ramRegion, expectFails } = world();
    const outer = container(0x10, 'outer');
    const inner = container(0x10, 'inner');
    outer.addSubregion(inner, 0);
    for (const add of ['addSubregion', 'addSubregionNotUpdate'] as const) {
      for (const [bad, code] of BAD_NUMBERS)
        expectFails(code, () => root[add](io(1, 'x'), bad as number));
      expectFails('RegionType', () => ramRegion[add](io(1, 'x'), 0));
      expectFails('InvalidArgument', () => root[add]({} as Region, 0));
      expectFails('RegionInUse', () => root[add](dev, 0));
      expectFails('InvalidArgument', () => inner[add](outer, 0));
      const lone = container(0x10, 'lone');
      expectFails('InvalidArgument', () => lone[add](lone, 0));
      expectFails('InvalidArgument', () =>
        box[add](Region.initAliasRegion(root, 0, 16, 'loop'), 0),
      );
    }
    const err = catchError(() => root.addSubregion(io(0x100, 'x'), 0xff01));
    expect(err.code).toBe('Overflow');
    expect(err.message).toBe(
      'Address overflows, addr is 0xFF01: Invalid offset: offset 0xFF01, child length 0x100, region size 0x10000',
    );
    expectFails('Overflow', () => root.addSubregion(io(0x100, 'x'), 0xff01));
    expectFails('RegionNotFound', () => root.deleteSubregion(dev));
    expectFails('RegionType', () => ramRegion.deleteSubregion(dev));
    expectFails('InvalidArgument', () => root.deleteSubregion(null as unknown as Region));
  });

  it('region setters and mtree', () => {
    const { dev, ramRegion, expectFails } = world();
    for (const bad of BAD_PRIORITIES)
      expectFails('InvalidArgument', () => dev.setPriority(bad as number));
    expectFails('InvalidArgument', () => dev.setEnabled('no' as unknown as boolean));
    expectFails('RegionType', () => ramRegion.setRomDeviceRomd(false));
    const rom = Region.initRomDeviceRegion(
      HostMemMapping.create({ size: 16 }),
      recordingOps(),
      'rom',
    );
    expectFails('InvalidArgument', () => rom.setRomDeviceRomd(0 as unknown as boolean));
    expectFails('InvalidArgument', () => dev.setIoeventfds('none' as unknown as []));
    expectFails('InvalidArgument', () => dev.mtree(-1));
    expectFails('InvalidArgument', () => dev.mtree(2 ** 40));
  });

  it('address space construction and listeners', () => {
    const { space, listener, expectFails } = world();
    expectFails('InvalidArgument', () => new AddressSpace({} as Region, 'x'));
    expectFails('UpdateTopology', () => new AddressSpace(io(16, 'x'), 'x'));
    expectFails(
      'InvalidArgument',
      () => new AddressSpace(container(16, 'c'), 5 as unknown as string),
    );
    expectFails('InvalidArgument', () => new AddressSpace(container(16, 'c'), 'x', {} as Region));
    expectFails('InvalidArgument', () => space.registerListener({} as Listener));
    expectFails('InvalidArgument', () => space.registerListener(listener));
    const oddPriority = new MirrorListener('odd');
    oddPriority.priority = () => 0.5;
    expectFails('InvalidArgument', () => space.registerListener(oddPriority));
    expectFails('InvalidArgument', () => space.unregisterListener(new MirrorListener('stranger')));
    expectFails('InvalidArgument', () => space.transaction(5 as unknown as () => void));
    expectFails('InvalidArgument', () => space.attachPublisher({} as never));
    expectFails('InvalidArgument', () => space.callRcu('later' as unknown as () => void));
    expectFails('InvalidArgument', () => space.mtreeQemu(null as unknown as { flat: boolean }));
  });

  it('access entries', () => {
    const { space, expectFails } = world();
    for (const [bad, code] of BAD_NUMBERS) {
      const addr = bad as number;
      expectFails(code, () => space.read(new Uint8Array(1), addr));
      expectFails(code, () => space.write(new Uint8Array(1), addr));
      expectFails(code, () => space.readU8(addr));
      expectFails(code, () => space.readU16(addr));
      expectFails(code, () => space.readU32(addr));
      expectFails(code, () => space.readU64(addr));
      expectFails(code, () => space.writeU8(addr, 1));
      expectFails(code, () => space.writeU64(addr, 1n));
      expectFails(code, () => space.getHostAddress(addr));
      expectFails(code, () => space.getRegionCache(addr));
      expectFails(code, () => space.getHostAddressFromCache(addr, undefined));
      expectFails(code, () => space.getAddressMap(undefined, addr, 1));
      expectFails(code, () => space.getAddressMap(undefined, 0, addr));
      expectFails(code, () => space.addressInMemory(addr, 1));
      expectFails(code, () => space.addressInMemory(0, addr));
    }
    expectFails('Overflow', () => space.read(new Uint8Array(4), 2 ** 53 - 2));
    expectFails('InvalidArgument', () => space.read([0] as unknown as Uint8Array, 0));
    expectFails('InvalidArgument', () => space.write('ab' as unknown as Uint8Array, 0));
    expectFails('InvalidArgument', () => space.readU8(0, 'Rom' as AddressAttr));
    expectFails('InvalidArgument', () => space.writeU8(0, 256));
    expectFails('InvalidArgument', () => space.writeU8(0, -1));
    expectFails('InvalidArgument', () => space.writeU16(0, 0x10000));
    expectFails('InvalidArgument', () => space.writeU32(0, 2 ** 32));
    expectFails('InvalidArgument', () => space.writeU32(0, 1.5));
    expectFails('InvalidArgument', () => space.writeU64(0, 1 as unknown as bigint));
    expectFails('InvalidArgument', () => space.writeU64(0, -1n));
    expectFails('InvalidArgument', () => space.writeU64(0, 1n << 64n));
    expectFails('InvalidArgument', () => space.getHostAddressFromCache(0, { start: 0 } as never));
    expectFails('RegionNotFound', () => space.writeU8(0x2000, 1));
    expectFails('RegionNotFound', () => space.readU8(0xfffff));
    // StratoVirt's refusals: a RomDevice-attr write, a device write past the region's end
    expectFails('RegionType', () => space.writeU8(0, 1, 'RomDevice'));
    expectFails('Overflow', () => space.writeU64(0x810c, 1n, 'MMIO'));
  });

  it('ioeventfd entries: setIoevtfdEnabled and matchExitedWrite', () => {
    const { space, expectFails } = world();
    for (const [bad, code] of BAD_NUMBERS) {
      expectFails(code, () => space.matchExitedWrite(bad as number, new Uint8Array(4)));
    }
    expectFails('Overflow', () => space.matchExitedWrite(2 ** 53 - 2, new Uint8Array(4)));
    expectFails('InvalidArgument', () => space.matchExitedWrite(0, 'ab' as unknown as Uint8Array));
    for (const bad of [0, 'on', undefined, null, {}]) {
      expectFails('InvalidArgument', () => space.setIoevtfdEnabled(bad as boolean));
    }
    expect(space.ioevtfdEnabled).toBe(false);
    space.setIoevtfdEnabled(true);
    expectFails('InvalidArgument', () => space.setIoevtfdEnabled(true));
    expect(space.ioevtfdEnabled).toBe(true);
  });
});
