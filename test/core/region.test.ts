import { describe, expect, it } from 'vitest';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { catchError, container, io, ram, recordingOps } from './helpers.js';

describe('Region constructors (SPEC 3)', () => {
  it('build all six types with their sizes and members', () => {
    const mapping = HostMemMapping.create({ size: 0x2000 });
    const ops = recordingOps();
    const r = Region.initRamRegion(mapping, 'ram');
    const i = Region.initIoRegion(0x10, ops, 'io');
    const c = Region.initContainerRegion(0x1000, 'box');
    const rom = Region.initRomDeviceRegion(mapping, ops, 'rom');
    const ramd = Region.initRamDeviceRegion(mapping, 'ramd');
    const alias = Region.initAliasRegion(r, 0x100, 0x200, 'alias');
    expect([r, i, c, rom, ramd, alias].map((x) => [x.regionType, x.size, x.name])).toEqual([
      ['Ram', 0x2000, 'ram'],
      ['IO', 0x10, 'io'],
      ['Container', 0x1000, 'box'],
      ['RomDevice', 0x2000, 'rom'],
      ['RamDevice', 0x2000, 'ramd'],
      ['Alias', 0x200, 'alias'],
    ]);
    expect([r.mapping, i.ops, rom.mapping, rom.ops, alias.aliasTarget, alias.aliasOffset]).toEqual([
      mapping,
      ops,
      mapping,
      ops,
      r,
      0x100,
    ]);
    expect(r.aliasOffset).toBe(0);
    expect([r.priority, r.offset, r.parent, r.enabled]).toEqual([0, 0, undefined, true]);
    const ids = [r, i, c, rom, ramd, alias].map((x) => x.id);
    expect(new Set(ids).size).toBe(6);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
  });

  it('romd starts true on a ROM device and is None elsewhere', () => {
    const rom = Region.initRomDeviceRegion(
      HostMemMapping.create({ size: 16 }),
      recordingOps(),
      'rom',
    );
    expect(rom.getRomDeviceRomd()).toBe(true);
    rom.setRomDeviceRomd(false);
    expect(rom.getRomDeviceRomd()).toBe(false);
    expect(io(1, 'x').getRomDeviceRomd()).toBeUndefined();
    expect(catchError(() => io(1, 'x').setRomDeviceRomd(true)).code).toBe('RegionType');
  });

  it('an alias must fit its target', () => {
    const t = io(0x100, 't');
    expect(Region.initAliasRegion(t, 0x80, 0x80, 'ok').size).toBe(0x80);
    expect(catchError(() => Region.initAliasRegion(t, 0x80, 0x81, 'no')).code).toBe('Overflow');
  });
});

describe('Region tree rules (SPEC 3)', () => {
  it('only a container takes subregions', () => {
    for (const parent of [
      io(100, 'io'),
      ram(100, 'ram'),
      Region.initAliasRegion(container(100, 'c'), 0, 100, 'a'),
    ]) {
      expect(catchError(() => parent.addSubregion(io(1, 'x'), 0)).code).toBe('RegionType');
    }
  });

  it('a region has one parent: adding it twice is RegionInUse, also under another parent', () => {
    const a = container(100, 'a');
    const b = container(100, 'b');
    const child = io(10, 'child');
    a.addSubregion(child, 0);
    const err = catchError(() => b.addSubregion(child, 0));
    expect(err.code).toBe('RegionInUse');
    expect(catchError(() => a.addSubregion(child, 20)).code).toBe('RegionInUse');
    expect(a.subregions()).toEqual([child]);
    a.deleteSubregion(child);
    b.addSubregion(child, 50);
    expect([child.parent, child.offset]).toEqual([b, 50]);
  });

  it('offset + size must fit the parent exactly at the edge', () => {
    const parent = container(0x100, 'p');
    parent.addSubregion(io(0x10, 'edge'), 0xf0);
    expect(catchError(() => parent.addSubregion(io(0x10, 'past'), 0xf1)).code).toBe('Overflow');
  });

  it('subregions() is a copy in render order', () => {
    const parent = container(100, 'p');
    const low = io(1, 'low', -1);
    const a = io(1, 'a');
    const b = io(1, 'b');
    const high = io(1, 'high', 5);
    for (const r of [low, a, high, b]) parent.addSubregion(r, 0);
    const list = parent.subregions();
    expect(list.map((r) => r.name)).toEqual(['high', 'b', 'a', 'low']);
    (list as Region[]).pop();
    expect(parent.subregions().length).toBe(4);
  });

  it('ioeventfds() returns the frozen list last set', () => {
    const r = io(16, 'dev');
    expect(r.ioeventfds()).toEqual([]);
    expect(Object.isFrozen(r.ioeventfds())).toBe(true);
  });
});
