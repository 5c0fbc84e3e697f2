/**
 * The stalled-reader scenario on the vCPU pool (SPEC 7, `run --stall MS`): the stalled
 * vCPU stops inside one RAM read for `ms` every `everyMs`, the others never; under `rcu`
 * a grace period that meets a stall lasts about as long as the stall (the stalled reader
 * holds its epoch inside the access). Real workers from dist/workers/vcpu.js: build first.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { VcpuPool } from '../../../src/concurrent/vcpu/vcpu-pool.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

const workerFile = fileURLToPath(new URL('../../../dist/workers/vcpu.js', import.meta.url));
const MiB = 1 << 20;
const STALL_MS = 150;

const pools: VcpuPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

it('vCPU 0 stalls inside a read every 300 ms; grace periods wait for it, vCPU 1 never stalls', async () => {
  const root = Region.initContainerRegion(16 * MiB, 'root');
  root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: MiB }), 'ram'), 0);
  const dimm = Region.initRamRegion(HostMemMapping.create({ size: MiB }), 'dimm');
  const as = new AddressSpace(root, 'memory');
  const publisher = SharedViewPublisher.attachTo(as, { strategy: 'rcu', maxReaders: 4 });
  const pool = new VcpuPool({
    vcpus: 2,
    publisher,
    workerFile,
    sliceMs: 20,
    stall: { vcpu: 0, ms: STALL_MS, everyMs: 300 },
  });
  pools.push(pool);
  pool.start({ kind: 'random', seed: 3, ram: [{ base: 0, size: MiB }] });
  const started = performance.now();
  while (performance.now() - started < 1300 || pool.counters(0).stalls < 3) {
    if (dimm.parent === undefined) root.addSubregion(dimm, 8 * MiB);
    else root.deleteSubregion(dimm);
    await sleep(5);
    if (performance.now() - started > 30_000) break;
  }
  await pool.stop();
  expect(pool.counters(0).stalls).toBeGreaterThanOrEqual(3);
  expect(pool.counters(1).stalls).toBe(0);
  expect(pool.counters(0).poisonReads).toBe(0);
  const longest = Math.max(...publisher.stats().gracePeriodUs);
  expect(longest).toBeGreaterThanOrEqual((STALL_MS - 30) * 1000);
  expect(publisher.stats().retainedBytesMax).toBeGreaterThanOrEqual(MiB);
  publisher.close();
});

it('refuses a stall for a vCPU it does not have, and a stall that is not a positive integer', () => {
  const publisher = new SharedViewPublisher();
  expect(
    () =>
      new VcpuPool({ vcpus: 2, publisher, workerFile, stall: { vcpu: 2, ms: 10, everyMs: 100 } }),
  ).toThrow('Invalid argument: stall.vcpu: must be a vCPU from 0 to 1');
  expect(
    () =>
      new VcpuPool({ vcpus: 2, publisher, workerFile, stall: { vcpu: 0, ms: 0, everyMs: 100 } }),
  ).toThrow('Invalid argument: stall.ms: must be a positive integer of ms');
  publisher.close();
});
