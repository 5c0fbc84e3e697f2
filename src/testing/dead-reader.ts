/**
 * Invariant `dead-reader`: a reader thread is terminated in the middle of its loop (online,
 * inside a slice, never marked offline: as if it crashed unseen). The owner must still
 * make progress: the next publish returns and `synchronize()` resolves within a bound
 * (the publisher's lease, after which a silent reader is evicted, plus a margin for a
 * loaded machine), while a second reader goes on reading.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { Region } from '../core/region.js';
import { HostMemMapping } from '../host/mapping.js';
import type { InvariantResult } from './check-types.js';
import { Scene, sleep } from './harness.js';

const LEASE_MS = 250;
/** What a loaded machine may add to the lease (scheduling, the owner's poll interval). */
const MARGIN_MS = 2000;

export async function deadReader(
  strategy: Strategy,
  budgetMs: number,
  seed: number,
): Promise<InvariantResult> {
  const root = Region.initContainerRegion(1 << 20, 'root');
  root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: 1 << 16 }), 'ram'), 0);
  const scene = new Scene(root, strategy, seed, { leaseMs: LEASE_MS, pollMs: 10 });
  try {
    const [victim] = await scene.start([
      { loop: 'spin', span: 1 << 16 },
      { loop: 'spin', span: 1 << 16 },
    ]);
    await sleep(Math.max(10, Math.min(100, budgetMs / 4)));
    await victim!.worker.terminate();
    const killed = performance.now();
    root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: 4096 }), 'more'), 1 << 17);
    const publishMs = performance.now() - killed;
    const bound = LEASE_MS + MARGIN_MS;
    const resolved = await Promise.race([
      scene.publisher.synchronize().then(() => true),
      sleep(bound + 1000).then(() => false),
    ]);
    const syncMs = performance.now() - killed;
    const held = resolved && syncMs <= bound;
    const stats = scene.publisher.stats();
    return {
      name: 'dead-reader',
      held,
      detail: resolved
        ? `a reader terminated mid-loop: the next publish took ${publishMs.toFixed(1)} ms, synchronize() resolved ${syncMs.toFixed(1)} ms after the kill (bound ${bound} ms: lease ${LEASE_MS} ms + ${MARGIN_MS} ms); ${stats.evictedReaders} evicted`
        : `a reader terminated mid-loop: synchronize() had not resolved ${syncMs.toFixed(0)} ms after the kill (bound ${bound} ms)`,
    };
  } finally {
    await scene.close();
  }
}
