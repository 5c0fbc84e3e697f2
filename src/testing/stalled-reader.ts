/**
 * Invariant `stalled-reader`: one reader thread stops inside an access (after resolving
 * its range, before copying: `stallNextRead`) for `stallMs` every `stallEveryMs`, while a
 * second reader reads on and the owner runs the hotplug storm at a steady rate without
 * ever waiting for readers (hotplug.ts `grow`). Safety must hold: neither reader reads poison, the stalled
 * one included when it wakes and copies. What the stall cost is recorded, not judged: the
 * owner's changes, the retired memory it could not reclaim at worst, the longest time it
 * was blocked inside the strategy, evictions.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { InvariantResult } from './check-types.js';
import { first, Scene, seededRandom, sleep, tick, total } from './harness.js';
import { BLOCK, HotplugStorm, SLOTS } from './hotplug.js';

/** Below the publisher's default lease (1000 ms): a stalled reader is slow, not dead. */
const STALL_MS = 100;
/** The owner's change rate: retention under a stall is about rate x stall x block / 2. */
const CHANGES_PER_SECOND = 1000;

export async function stalledReader(
  strategy: Strategy,
  budgetMs: number,
  seed: number,
): Promise<InvariantResult> {
  const storm = new HotplugStorm(seededRandom(seed), 'grow');
  const scene = new Scene(storm.root, strategy, seed, { check: true, history: false });
  storm.attach(scene.publisher);
  const stallEveryMs = Math.max(STALL_MS, Math.min(300, budgetMs / 3));
  try {
    await scene.start([
      { loop: 'stall', span: SLOTS * BLOCK, stallMs: STALL_MS, stallEveryMs },
      { loop: 'poison', span: SLOTS * BLOCK },
    ]);
    const started = performance.now();
    const deadline = started + Math.max(budgetMs, stallEveryMs + 2 * STALL_MS);
    let changes = 0;
    let lateMs = 0;
    while (performance.now() < deadline) {
      const due = started + (changes * 1000) / CHANGES_PER_SECOND;
      const now = performance.now();
      if (now < due) {
        await sleep(due - now);
        continue;
      }
      lateMs = Math.max(lateMs, now - due);
      await storm.step();
      changes++;
      if (changes % 4 === 0) await tick();
    }
    const elapsed = performance.now() - started;
    await scene.publisher.synchronize();
    const results = await scene.finish();
    const stats = scene.publisher.stats();
    const stalls = total(results, 'stalls');
    const poisonReads = total(results, 'poisonReads');
    const enough = stalls >= 1 && stats.poisonedMappings >= 1;
    const held = enough && poisonReads === 0;
    const firstPoison = first(results, 'firstPoison');
    return {
      name: 'stalled-reader',
      held,
      detail: `${stalls} stalls of ${STALL_MS} ms inside an access; owner: ${changes} changes (${Math.round((changes * 1000) / elapsed)}/s of ${CHANGES_PER_SECOND}/s asked, ${lateMs.toFixed(0)} ms behind at worst), retained at worst ${stats.retainedBytesMax} bytes, blocked at most ${(stats.ownerBlockedMaxUs / 1000).toFixed(1)} ms (${(stats.ownerBlockedUs / 1000).toFixed(1)} ms in all), ${storm.created} blocks made, ${stats.evictedReaders} readers evicted; ${poisonReads} poison reads${firstPoison !== '' ? `; first: ${firstPoison}` : ''}${enough ? '' : '; no stall or no reclamation happened, nothing to judge'}`,
    };
  } finally {
    await scene.close();
  }
}
