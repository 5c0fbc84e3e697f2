/**
 * Dirty logging on the owner's side (SPEC 10): `startDirtyLog` / `syncDirtyLog` /
 * `stopDirtyLog` and the owner's own writes. Reader threads' marks are tested in
 * test/concurrent/publication/dirty-log.test.ts; device models' in test/machine.
 */
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';

const MiB = 2 ** 20;

function space() {
  const root = Region.initContainerRegion(16 * MiB, 'root');
  const mapping = HostMemMapping.create({ size: MiB, name: 'ram' });
  root.addSubregion(Region.initRamRegion(mapping, 'ram'), 0);
  return { as: new AddressSpace(root, 'memory'), root, mapping };
}

function pagesOf(log: ReturnType<AddressSpace['syncDirtyLog']>) {
  return log.mappings.map((m) => [m.name, [...m.pages]]);
}

describe('dirty logging: the owner', () => {
  it("SPEC 10's example: writeU32(0x2004) dirties page 2 once; a second sync lists nothing", async () => {
    const { as } = space();
    await as.startDirtyLog();
    as.writeU32(0x2004, 1);
    const log = as.syncDirtyLog();
    expect(pagesOf(log)).toEqual([['ram', [2]]]);
    expect(log.total).toBe(1);
    expect(as.syncDirtyLog()).toEqual({ mappings: [], total: 0 });
  });

  it('reads mark nothing; writes before start and after stop are not logged', async () => {
    const { as } = space();
    as.writeU32(0x1000, 7);
    await as.startDirtyLog();
    expect(as.dirtyLogEnabled).toBe(true);
    as.readU32(0x3000);
    expect(as.syncDirtyLog().total).toBe(0);
    as.stopDirtyLog();
    expect(as.dirtyLogEnabled).toBe(false);
    as.writeU32(0x4000, 1);
    expect(as.syncDirtyLog().total).toBe(0);
  });

  it('a write spanning a page boundary dirties both pages; pages are sorted', async () => {
    const { as } = space();
    await as.startDirtyLog();
    as.writeU8(0x9000, 1);
    as.writeU64(0x1ffc, 0x1122334455667788n);
    expect(pagesOf(as.syncDirtyLog())).toEqual([['ram', [1, 2, 9]]]);
  });

  it('a page written through an alias is dirty once, in its mapping', async () => {
    const { as, root, mapping } = space();
    const target = Region.initRamRegion(HostMemMapping.create({ size: MiB, name: 'big' }), 'big');
    root.addSubregion(target, 4 * MiB);
    root.addSubregion(Region.initAliasRegion(target, 0x10000, 0x10000, 'window'), 8 * MiB);
    await as.startDirtyLog();
    as.writeU32(8 * MiB + 0x3000, 1); // big page 0x13
    as.writeU32(4 * MiB + 0x13000, 2); // the same page directly
    const log = as.syncDirtyLog();
    expect(pagesOf(log)).toEqual([['big', [0x13]]]);
    expect(log.mappings[0]!.mapping).not.toBe(mapping);
    expect(log.total).toBe(1);
  });

  it('a failed write marks nothing', async () => {
    const { as } = space();
    await as.startDirtyLog();
    expect(() => as.writeU64(MiB - 4, 1n)).toThrow();
    expect(as.syncDirtyLog().total).toBe(0);
  });

  it('starting again while on keeps the log; start clears what an earlier log left', async () => {
    const { as } = space();
    await as.startDirtyLog();
    as.writeU8(0x5000, 1);
    await as.startDirtyLog();
    expect(pagesOf(as.syncDirtyLog())).toEqual([['ram', [5]]]);
    as.writeU8(0x6000, 1);
    as.stopDirtyLog();
    await as.startDirtyLog();
    expect(as.syncDirtyLog().total).toBe(0);
  });
});
