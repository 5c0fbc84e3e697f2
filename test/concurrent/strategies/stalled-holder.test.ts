/**
 * What a reader stalled inside an access holds back (SPEC 7, the stalled-reader
 * trade-off), shown deterministically: the reader is attached on this thread and held in
 * the middle of an access (its protection taken, not released) while the owner changes the
 * topology. Under `hazard` and `refcount` it pins only the table it holds and the memory
 * that table shows: a block plugged and unplugged meanwhile is reclaimed as usual. Under
 * `ebr` it holds back everything retired since it pinned. Under every strategy the memory
 * its table shows stays unreclaimed until it lets go.
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

const BLOCK = 1 << 16;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The protected steps of a reader's access, called from the test. */
interface Holder {
  online(): void;
  offline(): void;
  enter?(): void;
  leave?(): void;
  newSection?(): void;
}

async function stalledRun(strategy: 'hazard' | 'refcount' | 'ebr') {
  const root = Region.initContainerRegion(8 * BLOCK, 'root');
  const as = new AddressSpace(root, 'memory');
  const a = HostMemMapping.create({ size: BLOCK, name: 'a' });
  const dimmA = Region.initRamRegion(a, 'dimm-a');
  root.addSubregion(dimmA, 0);
  const publisher = SharedViewPublisher.attachTo(as, { strategy, check: true, pollMs: 2 });
  const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
  const holder = reader as unknown as Holder;
  reader.online();
  expect(reader.readU32(0)).toBe(0);
  // Stalled inside an access: protection taken on the current table (which shows `a`).
  if (holder.enter !== undefined) holder.enter();
  else holder.newSection!();

  const reclaimed: string[] = [];
  root.deleteSubregion(dimmA);
  publisher.whenReclaimed(a, () => reclaimed.push('a'));
  const b = HostMemMapping.create({ size: BLOCK, name: 'b' });
  const dimmB = Region.initRamRegion(b, 'dimm-b');
  root.addSubregion(dimmB, 2 * BLOCK);
  root.deleteSubregion(dimmB);
  publisher.whenReclaimed(b, () => reclaimed.push('b'));
  await sleep(50);
  const whileStalled = [...reclaimed];
  const retainedWhileStalled = publisher.stats().retainedBytes;

  if (holder.leave !== undefined) holder.leave();
  reader.offline();
  await publisher.synchronize();
  await sleep(10);
  const after = [...reclaimed].sort();
  reader.close();
  publisher.close();
  return { whileStalled, retainedWhileStalled, after };
}

describe('a reader stalled inside an access', () => {
  test.each(['hazard', 'refcount'] as const)(
    'under %s pins only what its table shows: a block plugged and unplugged meanwhile is reclaimed',
    async (strategy) => {
      const r = await stalledRun(strategy);
      expect(r.whileStalled).toEqual(['b']);
      // `a`, and the table the reader holds, stay retired.
      expect(r.retainedWhileStalled).toBeGreaterThanOrEqual(BLOCK);
      expect(r.after).toEqual(['a', 'b']);
    },
  );

  test('under ebr holds back everything retired since it pinned', async () => {
    const r = await stalledRun('ebr');
    expect(r.whileStalled).toEqual([]);
    expect(r.retainedWhileStalled).toBeGreaterThanOrEqual(2 * BLOCK);
    expect(r.after).toEqual(['a', 'b']);
  });
});
