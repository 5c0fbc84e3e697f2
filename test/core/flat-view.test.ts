import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { FlatView } from '../../src/core/flat-view.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { catchError, container, io, priorityRows, ram, recordingOps, rows } from './helpers.js';

describe('SPEC 4 conformance', () => {
  it('example 1: a container above a big IO region shows it through its holes', () => {
    //  0     1000  2000  3000  4000  5000  6000      8000
    //  |-----------C (prio 1)------------------|
    //              |-----B (prio 2)------|
    //              |-D-|       |-E-|
    //  result: C  | D  |  C    | E  |  C
    const root = container(8000, 'root');
    const space = new AddressSpace(root, 'space');
    const b = container(4000, 'B', 2);
    const c = io(6000, 'C', 1);
    root.addSubregion(b, 2000);
    root.addSubregion(c, 0);
    b.addSubregion(io(1000, 'D'), 0);
    b.addSubregion(io(1000, 'E'), 2000);
    expect(priorityRows(space.flatView)).toEqual([
      [0, 2000, 1],
      [2000, 1000, 0],
      [3000, 1000, 1],
      [4000, 1000, 0],
      [5000, 1000, 1],
    ]);
    expect(rows(space.flatView)).toEqual([
      [0, 2000, 'C', 0],
      [2000, 1000, 'D', 0],
      [3000, 1000, 'C', 3000],
      [4000, 1000, 'E', 0],
      [5000, 1000, 'C', 5000],
    ]);
  });

  it('example 2: siblings inside a container compare priorities among themselves', () => {
    //  0  1000     2000        4000        6000  7000
    //  |-C-|       |------D (2)-----|
    //                          |-----E (3)-----|
    const root = container(8000, 'root');
    const space = new AddressSpace(root, 'space');
    const b = container(5000, 'B');
    root.addSubregion(b, 2000);
    root.addSubregion(io(1000, 'C'), 0);
    b.addSubregion(io(3000, 'D', 2), 0);
    b.addSubregion(io(2000, 'E', 3), 2000);
    expect(priorityRows(space.flatView)).toEqual([
      [0, 1000, 0],
      [2000, 2000, 2],
      [4000, 2000, 3],
    ]);
  });

  it('example 3: subregions are in priority order; deleting twice fails', () => {
    const parent = container(1024, 'parent');
    const io1 = io(16, 'io1');
    const io2 = io(16, 'io2', 10);
    parent.addSubregion(io1, 0);
    parent.addSubregion(io2, 20);
    expect(parent.subregions()).toEqual([io2, io1]);
    parent.deleteSubregion(io1);
    parent.deleteSubregion(io2);
    expect(parent.subregions()).toEqual([]);
    const err = catchError(() => parent.deleteSubregion(io2));
    expect(err.code).toBe('RegionNotFound');
    expect(err.message).toBe('Failed to find matched region, addr 0x14');
  });
});

describe('rendering rules', () => {
  it('among equal priorities the region added last wins', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    root.addSubregion(io(50, 'first'), 0);
    root.addSubregion(io(50, 'second'), 25);
    expect(rows(space.flatView)).toEqual([
      [0, 25, 'first', 0],
      [25, 50, 'second', 0],
    ]);
  });

  it('a region is clipped to its parent window', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    const box = container(30, 'box');
    const wide = Region.initAliasRegion(io(100, 'big'), 10, 30, 'wide');
    box.addSubregion(wide, 0);
    root.addSubregion(box, 60);
    expect(rows(space.flatView)).toEqual([[60, 30, 'big', 10]]);
  });

  it('an alias shows its target from aliasOffset, ignoring the target offset, owned by the leaf', () => {
    //  ram (1000) lives in its own container "machine" at offset 500 (plays no part)
    //  alias "low" shows ram[0,400) at 0, alias "high" shows ram[400,1000) at 2000
    const root = container(4000, 'root');
    const space = new AddressSpace(root, 's');
    const machine = container(2000, 'machine');
    const mem = ram(1000, 'mem');
    machine.addSubregion(mem, 500);
    root.addSubregion(Region.initAliasRegion(mem, 0, 400, 'low'), 0);
    root.addSubregion(Region.initAliasRegion(mem, 400, 600, 'high'), 2000);
    expect(rows(space.flatView)).toEqual([
      [0, 400, 'mem', 0],
      [2000, 600, 'mem', 400],
    ]);
  });

  it('an alias of a container shows the container holes as holes', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const bg = io(1000, 'bg');
    root.addSubregion(bg, 0);
    const dev = container(100, 'dev');
    dev.addSubregion(io(10, 'reg'), 50);
    const window = Region.initAliasRegion(dev, 40, 30, 'window');
    window.setPriority(1);
    root.addSubregion(window, 200);
    expect(rows(space.flatView)).toEqual([
      [0, 210, 'bg', 0],
      [210, 10, 'reg', 0],
      [220, 780, 'bg', 220],
    ]);
  });

  it('disabled regions paint nothing, also as alias targets', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    const a = io(10, 'a');
    root.addSubregion(a, 0);
    const target = io(10, 't');
    root.addSubregion(Region.initAliasRegion(target, 0, 10, 'al'), 50);
    expect(rows(space.flatView)).toEqual([
      [0, 10, 'a', 0],
      [50, 10, 't', 0],
    ]);
    a.setEnabled(false);
    target.setEnabled(false);
    expect(rows(space.flatView)).toEqual([]);
    a.setEnabled(true);
    expect(rows(space.flatView)).toEqual([[0, 10, 'a', 0]]);
  });

  it('adjacent pieces of the same leaf through two aliases are not merged', () => {
    const root = container(400, 'root');
    const space = new AddressSpace(root, 's');
    const mem = ram(200, 'mem');
    root.addSubregion(Region.initAliasRegion(mem, 0, 100, 'a1'), 0);
    root.addSubregion(Region.initAliasRegion(mem, 100, 100, 'a2'), 100);
    expect(rows(space.flatView)).toEqual([
      [0, 100, 'mem', 0],
      [100, 100, 'mem', 100],
    ]);
  });

  it('ROM device pieces carry the romd mode of render time', () => {
    const root = container(0x2000, 'root');
    const space = new AddressSpace(root, 's');
    const rom = Region.initRomDeviceRegion(
      HostMemMapping.create({ size: 0x1000 }),
      recordingOps(),
      'flash',
    );
    root.addSubregion(rom, 0x1000);
    expect(space.flatView.ranges[0]!.romd).toBe(true);
    rom.setRomDeviceRomd(false);
    expect(space.flatView.ranges[0]!.romd).toBe(false);
    expect(space.flatView.generation).toBe(2);
  });

  it('findFlatRange and findIndex answer by binary search, undefined / -1 in holes', () => {
    const root = container(8000, 'root');
    const space = new AddressSpace(root, 's');
    root.addSubregion(io(1000, 'a'), 1000);
    root.addSubregion(io(1000, 'b'), 3000);
    const v = space.flatView;
    expect(v.findFlatRange(999)).toBeUndefined();
    expect(v.findFlatRange(1000)?.owner.name).toBe('a');
    expect(v.findFlatRange(1999)?.owner.name).toBe('a');
    expect(v.findIndex(2000)).toBe(-1);
    expect(v.findIndex(3500)).toBe(1);
    expect(v.findIndex(4000)).toBe(-1);
  });

  it('views are frozen', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    root.addSubregion(io(10, 'a'), 0);
    const v = space.flatView;
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.ranges)).toBe(true);
  });

  it('FlatView.fromRanges rejects overlapping ranges', () => {
    const a = io(10, 'a');
    const r = (base: number, size: number) => ({
      addrRange: { base, size },
      owner: a,
      offsetInRegion: 0,
    });
    expect(FlatView.fromRanges([r(0, 10), r(10, 5)]).ranges.length).toBe(2);
    expect(catchError(() => FlatView.fromRanges([r(0, 10), r(5, 5)])).code).toBe('InvalidArgument');
  });

  it('the root must be a container', () => {
    expect(catchError(() => new AddressSpace(io(10, 'x'), 's')).code).toBe('UpdateTopology');
  });
});
