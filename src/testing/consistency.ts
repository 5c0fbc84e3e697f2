/**
 * Invariant `consistency`: two reader threads translate random addresses without pause
 * while the owner makes random topology changes (adds at random offsets and priorities,
 * deletes, priority bumps, enable toggles of RAM, aliases into a machine-RAM region and
 * IO regions). Every sampled translation `(generation, gpa, regionId, hostAddress)` must
 * be exactly what that generation's view says (the owner's history): a torn or mixed
 * table gives a translation no single generation gives. Each reader also checks that its
 * generation never goes backwards and that it adopts a published generation within the
 * adoption bound (a generation the owner had finished publishing before the access).
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { Region } from '../core/region.js';
import { HostMemMapping } from '../host/mapping.js';
import type { InvariantResult } from './check-types.js';
import { first, Scene, seededRandom, tick, total } from './harness.js';

const SPAN = 1 << 20;
const MAPPING_SIZE = 1 << 16;
const nullOps = { read: () => true, write: () => true };

/** A root of SPAN bytes and a cast of regions, and one random change to it. */
function churningRoot(random: () => number) {
  const root = Region.initContainerRegion(SPAN, 'root');
  const machineRam = Region.initRamRegion(
    HostMemMapping.create({ size: 4 * MAPPING_SIZE, name: 'machine-ram' }),
    'machine-ram',
  );
  const cast: Region[] = [];
  for (let i = 0; i < 6; i++) {
    const mapping = HostMemMapping.create({ size: MAPPING_SIZE, name: `ram${i}` });
    cast.push(Region.initRamRegion(mapping, `ram${i}`));
  }
  for (let i = 0; i < 4; i++) {
    cast.push(Region.initAliasRegion(machineRam, i * 4096 * 7, MAPPING_SIZE, `alias${i}`));
  }
  for (let i = 0; i < 2; i++) cast.push(Region.initIoRegion(8192, nullOps, `io${i}`));
  const step = () => {
    const region = cast[Math.floor(random() * cast.length)]!;
    if (region.parent === undefined) {
      const priority = Math.floor(random() * 5) - 2;
      if (region.priority !== priority) region.setPriority(priority);
      root.addSubregion(region, Math.floor(random() * (SPAN - region.size)));
      return;
    }
    const choice = random();
    if (choice < 0.5) root.deleteSubregion(region);
    else if (choice < 0.75) region.setPriority(region.priority + 1);
    else region.setEnabled(!region.enabled);
  };
  return { root, step };
}

export async function consistency(
  strategy: Strategy,
  budgetMs: number,
  seed: number,
): Promise<InvariantResult> {
  const random = seededRandom(seed);
  const { root, step } = churningRoot(random);
  for (let i = 0; i < 20; i++) step();
  const scene = new Scene(root, strategy, seed, { check: true, history: true });
  try {
    await scene.start([
      { loop: 'translate', span: SPAN },
      { loop: 'translate', span: SPAN },
    ]);
    const deadline = performance.now() + budgetMs;
    let changes = 0;
    while (performance.now() < deadline) {
      step();
      changes++;
      if (changes % 10 === 0) await tick();
    }
    await scene.publisher.synchronize();
    const results = await scene.finish();
    const history = scene.publisher.history!;
    let samples = 0;
    let mismatches = 0;
    let firstMismatch = '';
    for (const r of results) {
      for (let k = 0; k < r.samples.length; k += 4) {
        const generation = r.samples[k]!;
        const gpa = r.samples[k + 1]!;
        const regionId = r.samples[k + 2]!;
        const hostAddress = r.samples[k + 3]!;
        samples++;
        if (history.matches({ generation, gpa, regionId, hostAddress })) continue;
        mismatches++;
        if (firstMismatch === '') {
          const want = history.has(generation) ? history.expected(generation, gpa) : undefined;
          firstMismatch = `generation ${generation} at 0x${gpa.toString(16)}: region ${regionId} host ${hostAddress}, the view says ${want === undefined ? 'unmapped or unknown' : `region ${want.regionId} host ${want.hostAddress}`}`;
        }
      }
    }
    const stale = total(results, 'stale');
    const backwards = total(results, 'backwards');
    const faults = total(results, 'faults');
    const adopted = total(results, 'generations');
    const enough = samples >= 100 && changes >= 20;
    const held = enough && mismatches === 0 && stale === 0 && backwards === 0 && faults === 0;
    const problems = [
      firstMismatch,
      first(results, 'firstStale'),
      backwards > 0 ? `${backwards} generations went backwards` : '',
      faults > 0 ? `${faults} reader faults (${results.flatMap((r) => r.faultMessages)[0]})` : '',
      enough ? '' : 'too few samples or changes to judge',
    ].filter((p) => p !== '');
    return {
      name: 'consistency',
      held,
      detail: `${changes} changes, ${samples} samples (${adopted} adoptions): ${mismatches} not their generation's view, ${stale} adopted late, ${backwards} backwards${problems.length > 0 ? `; first: ${problems[0]}` : ''}`,
    };
  } finally {
    await scene.close();
  }
}
