/**
 * Invariant `poison-storm`: two reader threads read (and write back) random words of a
 * hotplug area while the owner plugs and unplugs RAM blocks as fast as it can, reusing a
 * block only after `whenReclaimed` (hotplug.ts). Check mode poisons every block whose
 * grace period ended; a reader that reads the poison word through the view it believes
 * current touched reclaimed memory.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { InvariantResult } from './check-types.js';
import { first, Scene, seededRandom, tick, total } from './harness.js';
import { BLOCK, HotplugStorm, SLOTS } from './hotplug.js';

export async function poisonStorm(
  strategy: Strategy,
  budgetMs: number,
  seed: number,
): Promise<InvariantResult> {
  const storm = new HotplugStorm(seededRandom(seed), 'wait');
  const scene = new Scene(storm.root, strategy, seed, { check: true, history: false });
  storm.attach(scene.publisher);
  try {
    await scene.start([
      { loop: 'poison', span: SLOTS * BLOCK },
      { loop: 'poison', span: SLOTS * BLOCK },
    ]);
    const deadline = performance.now() + budgetMs;
    let changes = 0;
    while (performance.now() < deadline) {
      await storm.step();
      changes++;
      if (changes % 4 === 0) await tick();
    }
    await scene.publisher.synchronize();
    const results = await scene.finish();
    const stats = scene.publisher.stats();
    const poisonReads = total(results, 'poisonReads');
    const accesses = total(results, 'accesses');
    const enough = stats.poisonedMappings >= 10 && accesses >= 1000;
    const held = enough && poisonReads === 0;
    const firstPoison = first(results, 'firstPoison');
    return {
      name: 'poison-storm',
      held,
      detail: `${changes} plugs and unplugs, ${stats.poisonedMappings} blocks poisoned, ${accesses} accesses: ${poisonReads} poison reads${firstPoison !== '' ? `; first: ${firstPoison}` : ''}${enough ? '' : '; too few poisoned blocks or accesses to judge'}`,
    };
  } finally {
    await scene.close();
  }
}
