/**
 * Readers killed in the middle of their access loop, many times, under every safe
 * strategy (SPEC 7: "a reader thread that dies or is terminated is marked offline; no
 * grace period waits for it"): after each kill the owner still publishes, and
 * `synchronize()` resolves at once when the dead reader is marked offline (as the vCPU
 * pool does), or within the lease when nobody marks it. Meanwhile a live reader checks
 * every read against poison and keeps adopting. Real worker threads on shared memory (run
 * against dist/: build first).
 *
 * The kill lands anywhere in the loop: inside an access (holding a read flag, a read
 * indicator, a hazard slot, a reference count or an epoch pin) or between two. A strategy
 * that kept a dead reader's share (one shared count with its +1 never undone) would hang
 * the owner here.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { STRATEGIES } from '../../../src/concurrent/reader/reader-api.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { ReaderThread, seededRandom } from '../publication/helpers.js';

const LEASE_MS = 250;
const KILLS = 8;
const BLOCK = 1 << 16;

let threads: ReaderThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.worker.terminate()));
  threads = [];
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(STRATEGIES.filter((s) => s !== 'none'))(
  'readers killed mid-loop under %s',
  (strategy) => {
    test(`${KILLS} kills: the owner never hangs, the live reader never reads poison`, async () => {
      const random = seededRandom(17);
      const root = Region.initContainerRegion(4 * BLOCK, 'root');
      const as = new AddressSpace(root, 'memory');
      root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: BLOCK }), 'ram'), 0);
      const publisher = SharedViewPublisher.attachTo(as, {
        strategy,
        maxReaders: 4,
        leaseMs: LEASE_MS,
        pollMs: 5,
        check: true,
      });
      const live = new ReaderThread({
        handle: publisher.readerHandle(publisher.allocateReader()),
        loop: 'poison',
        span: 4 * BLOCK,
        seed: 5,
      });
      threads.push(live);
      await live.online;
      let dimm: Region | undefined;
      const toggle = () => {
        if (dimm === undefined) {
          dimm = Region.initRamRegion(HostMemMapping.create({ size: BLOCK }), 'dimm');
          root.addSubregion(dimm, 2 * BLOCK);
        } else {
          root.deleteSubregion(dimm);
          dimm = undefined;
        }
      };
      for (let kill = 0; kill < KILLS; kill++) {
        const index = publisher.allocateReader();
        const doomed = new ReaderThread({
          handle: publisher.readerHandle(index),
          loop: kill % 2 === 0 ? 'poison' : 'spin',
          span: 4 * BLOCK,
          seed: 100 + kill,
        });
        threads.push(doomed);
        await doomed.online;
        toggle();
        await sleep(1 + random() * 10);
        await doomed.worker.terminate();
        const markedOffline = kill % 2 === 0;
        if (markedOffline) publisher.markReaderOffline(index);
        toggle();
        const evictedBefore = publisher.stats().evictedReaders;
        const started = performance.now();
        await publisher.synchronize();
        const waited = performance.now() - started;
        // Marked offline: nothing waits for it (generous margin for a loaded host); not
        // marked: the lease ends the wait.
        expect(waited).toBeLessThan(markedOffline ? 1000 : LEASE_MS + 1500);
        // Marked offline, the dead reader's share was discounted at once: had the owner
        // still waited for it, the lease would have evicted it.
        if (markedOffline) expect(publisher.stats().evictedReaders).toBe(evictedBefore);
        publisher.releaseReader(index);
      }
      const generation = publisher.generation;
      // The live reader adopts the last view and stops cleanly.
      await sleep(20);
      const result = await live.finish();
      expect(result.violations.length).toBe(0);
      expect([result.faults, result.faultMessages]).toEqual([0, []]);
      expect(result.accesses).toBeGreaterThan(1000);
      expect(generation).toBe(2 * KILLS + 1);
      expect(publisher.pendingGracePeriods).toBe(0);
      publisher.close();
    }, 60_000);
  },
);
