/**
 * Consistency under churn, with real worker threads and shared memory: two reader threads
 * translate random addresses without pause while the owner publishes thousands of random
 * views; every sampled `(generation, gpa, regionId, hostAddress)` must be exactly what
 * that generation's view says (the owner's history). Runs against dist/ (build first).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../src/concurrent/publisher.js';
import type { Strategy } from '../../src/concurrent/reader-api.js';
import type { PublishedRegion } from '../../src/concurrent/table-writer.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import {
  ioRegion,
  plainView,
  ReaderThread,
  type Row,
  ramRegion,
  seededRandom,
  tick,
} from './publication-helpers.js';

const SPAN = 1 << 20;
const MAPPING_SIZE = 1 << 16;
const CHANGES = 3000;

/** A random sorted, disjoint view over [0, SPAN) from `owners`, each piece inside its mapping. */
function randomRows(random: () => number, owners: readonly PublishedRegion[]): Row[] {
  const count = 1 + Math.floor(random() * 40);
  const cuts = new Set<number>();
  while (cuts.size < count * 2) cuts.add(Math.floor(random() * SPAN));
  const sorted = [...cuts].sort((a, b) => a - b);
  const rows: Row[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    const base = sorted[i]!;
    const size = Math.min(sorted[i + 1]! - base, MAPPING_SIZE);
    const owner = owners[Math.floor(random() * owners.length)]!;
    const offset = owner.mapping ? Math.floor(random() * (MAPPING_SIZE - size + 1)) : 0;
    rows.push([base, size, owner, offset]);
  }
  return rows;
}

let threads: ReaderThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.worker.terminate()));
  threads = [];
});

describe.each<Strategy>(['rcu', 'seqlock', 'mutex'])('consistency under %s', (strategy) => {
  test('every reader sample equals its generation in the history', async () => {
    const random = seededRandom(42);
    const mappings = Array.from({ length: 4 }, (_, i) =>
      HostMemMapping.create({ size: MAPPING_SIZE, name: `m${i}` }),
    );
    const owners = [
      ...mappings.map((m) => ramRegion(m)),
      ...mappings.map((m) => ramRegion(m)),
      ioRegion(),
    ];
    const publisher = new SharedViewPublisher({ strategy, maxReaders: 4 });
    publisher.publish(plainView(1, randomRows(random, owners)));
    threads = [0, 1].map(
      (i) =>
        new ReaderThread({
          handle: publisher.readerHandle(publisher.allocateReader()),
          loop: 'translate',
          span: SPAN,
          seed: 7 + i,
        }),
    );
    await Promise.all(threads.map((t) => t.online));
    for (let generation = 2; generation <= CHANGES; generation++) {
      publisher.publish(plainView(generation, randomRows(random, owners)));
      if (generation % 20 === 0) await tick();
      if (generation % 500 === 0) await publisher.synchronize();
    }
    await publisher.synchronize();
    const results = await Promise.all(threads.map((t) => t.finish()));
    const history = publisher.history!;
    const bad: number[][] = [];
    let samples = 0;
    for (const r of results) {
      for (let k = 0; k < r.samples.length; k += 4) {
        const [generation, gpa, regionId, hostAddress] = r.samples.subarray(k, k + 4);
        samples += 1;
        if (
          !history.matches({
            generation: generation!,
            gpa: gpa!,
            regionId: regionId!,
            hostAddress: hostAddress!,
          })
        ) {
          bad.push([generation!, gpa!, regionId!, hostAddress!]);
        }
      }
      expect(r.faults).toBe(0);
      expect(r.generations).toBeGreaterThan(10);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(samples).toBeGreaterThan(10_000);
    expect(publisher.stats().generations).toBe(CHANGES);
    publisher.close();
  });
});
