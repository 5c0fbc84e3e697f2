/**
 * A publish visits only the rows that changed since the last one (view-diff.ts): the
 * changed window is exact, and the table, the mappings in view and the regions a reader
 * may name after many small changes are exactly what a full rebuild of each view gives.
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { validateView } from '../../../src/concurrent/publication/table-writer.js';
import { viewChange } from '../../../src/concurrent/publication/view-diff.js';
import { Translation } from '../../../src/concurrent/reader/translation.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { type FlatRange, FlatView, sameFlatRange } from '../../../src/core/flat-view.js';
import { Region } from '../../../src/core/region.js';
import type { RegionOps } from '../../../src/core/types.js';
import { EventFd } from '../../../src/host/event-fd.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

const ops: RegionOps = { read: () => true, write: () => true };

/** `count` leaves of 0x1000 on a 0x2000 stride over an IO background; every third is IO. */
function setUp(count: number) {
  const root = Region.initContainerRegion(count * 0x2000, 'root');
  const background = Region.initIoRegion(count * 0x2000, ops, 'background');
  background.setPriority(-1);
  root.addSubregionNotUpdate(background, 0);
  const mappings: HostMemMapping[] = [];
  const leaves: Region[] = [];
  for (let k = 0; k < count; k++) {
    let leaf: Region;
    if (k % 3 === 0) {
      leaf = Region.initIoRegion(0x1000, ops, `io${k}`);
    } else {
      const mapping = HostMemMapping.create({ size: 0x1000, name: `ram${k}` });
      mappings.push(mapping);
      leaf = Region.initRamRegion(mapping, `ram${k}`);
    }
    root.addSubregionNotUpdate(leaf, k * 0x2000);
    leaves.push(leaf);
  }
  const space = new AddressSpace(root, 'memory');
  space.setIoevtfdEnabled(true); // the vCPUs match doorbells (KVM's ioeventfds)
  return { root, leaves, mappings, space };
}

/** The smallest window by walking both views from each end, one range at a time. */
function bruteWindow(before: FlatView, after: FlatView) {
  const limit = Math.min(before.rangeCount, after.rangeCount);
  let start = 0;
  while (start < limit && sameFlatRange(before.rangeAt(start)!, after.rangeAt(start)!)) start++;
  let suffix = 0;
  while (
    suffix < limit - start &&
    sameFlatRange(
      before.rangeAt(before.rangeCount - 1 - suffix)!,
      after.rangeAt(after.rangeCount - 1 - suffix)!,
    )
  ) {
    suffix++;
  }
  return [start, before.rangeCount - suffix, after.rangeCount - suffix];
}

function* toggles(leaves: readonly Region[], changes: number) {
  let seed = 12345;
  for (let i = 0; i < changes; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    yield leaves[seed % leaves.length]!;
  }
}

describe('incremental publication', () => {
  test('the changed window of one toggle is the exact, minimal one', () => {
    const { leaves, space } = setUp(2000);
    for (const leaf of toggles(leaves, 40)) {
      const before = space.flatView;
      leaf.setEnabled(!leaf.enabled);
      const change = viewChange(before, space.flatView);
      expect([change.start, change.previousEnd, change.nextEnd]).toEqual(
        bruteWindow(before, space.flatView),
      );
      // A toggle over the background replaces at most three pieces.
      expect(change.previousEnd - change.start).toBeLessThanOrEqual(3);
    }
    expect(viewChange(space.flatView, space.flatView).start).toBe(space.flatView.rangeCount);
  });

  test('the first publish is diffed as a whole; two empty views have an empty window', () => {
    const { space } = setUp(8);
    expect(viewChange(undefined, space.flatView)).toMatchObject({
      start: 0,
      previousEnd: 0,
      nextEnd: space.flatView.rangeCount,
    });
    const view = new FlatView([], [], 1);
    expect(viewChange(view, view)).toMatchObject({ start: 0, previousEnd: 0, nextEnd: 0 });
  });

  test('validation of a changed window still rejects a bad range inside it', () => {
    const { space } = setUp(8);
    const view = space.flatView;
    const bad = { ...view.rangeAt(1)!, owner: { ...view.rangeAt(1)!.owner, regionType: 'Bogus' } };
    const broken = new FlatView([view.rangeAt(0)!, bad as unknown as FlatRange], [], 9);
    const change = { previous: view, next: broken, start: 1, previousEnd: 2, nextEnd: 2 };
    expect(() => validateView(broken, change)).toThrow(/has type Bogus/);
  });

  test('after many changes a reader translates every range exactly as the view says', () => {
    const { leaves, space } = setUp(1500);
    const publisher = SharedViewPublisher.attachTo(space, { strategy: 'rcu', check: false });
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    reader.online();
    const t = new Translation();
    for (const leaf of toggles(leaves, 60)) leaf.setEnabled(!leaf.enabled);
    const view = space.flatView;
    for (let i = 0; i < view.rangeCount; i++) {
      const range = view.rangeAt(i)!;
      const { base, size } = range.addrRange;
      expect(reader.translate(base + size - 1, t)).toBe(true);
      const mapping = range.owner.mapping;
      const host =
        range.owner.regionType === 'IO' || mapping === undefined
          ? -1
          : mapping.hostAddress + range.offsetInRegion + size - 1;
      expect([t.generation, t.start, t.end, t.regionId, t.hostAddress]).toEqual([
        view.generation,
        base,
        base + size,
        range.owner.id,
        host,
      ]);
    }
    reader.offline();
    space.detachPublisher();
    publisher.close();
  });

  test('mappings in view and regions by id follow the view after many changes', () => {
    const { leaves, mappings, space } = setUp(600);
    const publisher = SharedViewPublisher.attachTo(space, { strategy: 'mutex', check: false });
    for (const leaf of toggles(leaves, 80)) leaf.setEnabled(!leaf.enabled);
    const inView = new Set(mappings.filter((m) => publisher.isMappingInView(m)));
    const expected = new Set<HostMemMapping>();
    for (let i = 0; i < space.flatView.rangeCount; i++) {
      const owner = space.flatView.rangeAt(i)!.owner;
      if (owner.regionType !== 'IO' && owner.mapping !== undefined) expected.add(owner.mapping);
      expect(publisher.regionById(owner.id)).toBe(owner);
    }
    expect(inView).toEqual(expected);
    // The last leaf toggled is named whether it is in view or was just removed (mutex keeps
    // removed regions for 64 more publishes).
    const lastToggled = [...toggles(leaves, 80)].at(-1)!;
    expect(publisher.regionById(lastToggled.id)).toBe(lastToggled);
    space.detachPublisher();
    publisher.close();
  });

  test('a doorbell on a row copied from the previous table still signals', () => {
    const { leaves, space } = setUp(300);
    const publisher = SharedViewPublisher.attachTo(space, { strategy: 'rcu', check: false });
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    reader.online();
    let exits = 0;
    reader.setMmioHandler(() => {
      exits += 1;
      return true;
    });
    const fd = new EventFd();
    const door = leaves[3]!; // IO at 0x6000
    door.setIoeventfds([{ addrRange: { base: 0, size: 4 }, dataMatch: false, data: 0n, fd }]);
    // Changes far from the doorbell: its row is copied, not rebuilt.
    for (const k of [200, 201, 250, 200]) leaves[k]!.setEnabled(!leaves[k]!.enabled);
    reader.writeU32(0x6000, 1);
    expect([fd.read(), exits]).toEqual([1, 0]);
    door.setIoeventfds([]);
    leaves[250]!.setEnabled(!leaves[250]!.enabled);
    reader.writeU32(0x6000, 1);
    expect([fd.read(), exits]).toEqual([0, 1]);
    reader.offline();
    space.detachPublisher();
    publisher.close();
  });

  test('a burst of changes with no reader online reuses two tables and one chunk arena', () => {
    const { leaves, space } = setUp(500);
    const publisher = SharedViewPublisher.attachTo(space, { strategy: 'rcu', check: false });
    for (const leaf of toggles(leaves, 50)) leaf.setEnabled(!leaf.enabled);
    expect(publisher.stats().tables).toBe(3);
    space.detachPublisher();
    publisher.close();
  });
});
