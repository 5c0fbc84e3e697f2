/**
 * Reclamation under a hotplug storm, with real worker threads: the owner plugs and
 * unplugs RAM blocks from a pool of mappings (each reused only through
 * `publisher.whenReclaimed`, and filled with a live pattern before it is plugged again)
 * while two readers read and write back random words. Check mode poisons every mapping
 * whose grace period ended: a reader that reads the poison word through the view it has
 * adopted found reclaimed memory. rcu, seqlock and mutex must never; none must (the proof
 * that the test can fail). Runs against dist/ (build first).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { STRATEGIES, type Strategy } from '../../../src/concurrent/reader/reader-api.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { ReaderThread, seededRandom, tick } from './helpers.js';

const SAFE_STRATEGIES = STRATEGIES.filter((s) => s !== 'none');

const BLOCK = 1 << 18;
const SLOTS = 8;
const STEPS = 800;

/** Runs the storm under `strategy`; returns the readers' violations and the publisher's counters. */
async function storm(strategy: Strategy) {
  const random = seededRandom(9);
  const root = Region.initContainerRegion(SLOTS * BLOCK, 'hotplug');
  const as = new AddressSpace(root, 'memory');
  const publisher = SharedViewPublisher.attachTo(as, { strategy, maxReaders: 4, check: true });
  const pool = Array.from({ length: SLOTS * 2 }, (_, i) =>
    HostMemMapping.create({ size: BLOCK, name: `dimm${i}` }),
  );
  const plugged: (Region | undefined)[] = new Array(SLOTS).fill(undefined);
  const plug = async (slot: number) => {
    while (pool.length === 0) await publisher.synchronize();
    const mapping = pool.pop()!;
    new Uint32Array(mapping.buffer).fill(0x1000 + slot);
    const dimm = Region.initRamRegion(mapping, `dimm@${slot}`);
    root.addSubregion(dimm, slot * BLOCK);
    plugged[slot] = dimm;
  };
  const unplug = (slot: number) => {
    const dimm = plugged[slot]!;
    root.deleteSubregion(dimm);
    plugged[slot] = undefined;
    publisher.whenReclaimed(dimm.mapping!, () => pool.push(dimm.mapping!));
  };
  for (let slot = 0; slot < SLOTS; slot++) await plug(slot);
  threads = [0, 1].map(
    (i) =>
      new ReaderThread({
        handle: publisher.readerHandle(publisher.allocateReader()),
        loop: 'poison',
        span: SLOTS * BLOCK,
        seed: 3 + i,
      }),
  );
  await Promise.all(threads.map((t) => t.online));
  for (let step = 1; step <= STEPS; step++) {
    const slot = Math.floor(random() * SLOTS);
    if (plugged[slot] === undefined) await plug(slot);
    else unplug(slot);
    if (step % 4 === 0) await tick();
  }
  await publisher.synchronize();
  const results = await Promise.all(threads.map((t) => t.finish()));
  publisher.close();
  const violations = results.reduce((n, r) => n + r.violations.length / 2, 0);
  const accesses = results.reduce((n, r) => n + r.accesses, 0);
  return { violations, accesses, stats: publisher.stats() };
}

let threads: ReaderThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.worker.terminate()));
  threads = [];
});

describe('reclamation with poison', () => {
  test.each<Strategy>(SAFE_STRATEGIES)(
    '%s: no reader ever reads poison through its current view',
    async (strategy) => {
      const { violations, accesses, stats } = await storm(strategy);
      expect(violations).toBe(0);
      expect(accesses).toBeGreaterThan(10_000);
      expect(stats.poisonedMappings).toBeGreaterThan(STEPS / 4);
      expect(stats.reclaimedBytes).toBe(stats.reclaimedMappings * BLOCK);
    },
  );

  test('none: the same storm reports violations', async () => {
    const { violations, stats } = await storm('none');
    expect(stats.poisonedMappings).toBeGreaterThan(STEPS / 4);
    expect(violations).toBeGreaterThan(0);
  });
});
