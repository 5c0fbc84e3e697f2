/**
 * vCPU pool threads (real workers from dist/workers/vcpu.js: build first) running RAM
 * workloads through a SharedView of a real AddressSpace while the owner changes the
 * topology: grace periods with a vCPU thread that dies mid-slice, and translation samples
 * checked against the publisher's history.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import type { Strategy } from '../../../src/concurrent/reader/reader-api.js';
import { VcpuPool } from '../../../src/concurrent/vcpu/vcpu-pool.js';
import { VcpuStatus } from '../../../src/concurrent/vcpu/vcpu-state.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

const workerFile = fileURLToPath(new URL('../../../dist/workers/vcpu.js', import.meta.url));
const MiB = 1 << 20;

const pools: VcpuPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** RAM 0..2 MiB, and a 1 MiB "hotplug" RAM block at 4 MiB that the owner toggles. */
function machine(strategy: Strategy, leaseMs: number) {
  const root = Region.initContainerRegion(16 * MiB, 'root');
  root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: 2 * MiB }), 'ram'), 0);
  const hotplug = Region.initRamRegion(HostMemMapping.create({ size: MiB }), 'dimm0');
  root.addSubregion(hotplug, 4 * MiB);
  const as = new AddressSpace(root, 'memory');
  // No poisoning: the toggled block is reused as it is, so its reads stay legitimate.
  const publisher = SharedViewPublisher.attachTo(as, {
    strategy,
    maxReaders: 8,
    leaseMs,
    check: false,
    history: true,
  });
  return { as, root, hotplug, publisher };
}

const ramWorkload = {
  kind: 'random' as const,
  seed: 9,
  ram: [
    { base: 0, size: 2 * MiB },
    { base: 4 * MiB, size: MiB },
  ],
};

describe('vCPUs on a published address space', () => {
  it('a vCPU thread terminated mid-slice does not hold up synchronize()', async () => {
    // A 10-minute lease: only the pool marking the dead reader offline can end the grace period.
    const m = machine('rcu', 600_000);
    const pool = new VcpuPool({ vcpus: 2, publisher: m.publisher, workerFile, sliceMs: 600_000 });
    pools.push(pool);
    pool.start(ramWorkload);
    await until(
      () => pool.counters(0).accesses > 0 && pool.counters(1).accesses > 0,
      'both running',
    );

    expect(await pool.terminateVcpuThread(0)).toBe(true);
    const started = performance.now();
    m.hotplug.setEnabled(false); // a publish whose grace period waits for online readers
    await m.as.synchronize();
    const waitedMs = performance.now() - started;

    expect(waitedMs).toBeLessThan(10_000);
    expect(pool.lost.map((l) => l.vcpu)).toEqual([0]);
    expect(pool.status(0)).toBe(VcpuStatus.Crashed);
    // The surviving vCPU keeps running and passes later grace periods too.
    const before = pool.counters(1).accesses;
    m.hotplug.setEnabled(true);
    await m.as.synchronize();
    await until(() => pool.counters(1).accesses > before, 'vCPU 1 still running');
    await pool.stop();
    m.publisher.close();
  });

  it.each(['rcu', 'seqlock', 'mutex'] as const)(
    'under %s, every translation sample matches its generation in the history',
    async (strategy) => {
      const m = machine(strategy, 1000);
      const pool = new VcpuPool({
        vcpus: 2,
        publisher: m.publisher,
        workerFile,
        sliceMs: 5,
        sampleEvery: 97,
        sampleCapacity: 1 << 14,
      });
      pools.push(pool);
      pool.start(ramWorkload);
      await until(() => pool.counters().accesses > 0, 'vCPUs running');
      // Toggle the hotplug block while the vCPUs run (at least 60 times, and until a vCPU
      // has hit the gap while the block was gone).
      const started = performance.now();
      for (let i = 0; i < 60 || pool.counters().regionNotFoundFaults === 0; i++) {
        if (performance.now() - started > 20_000) throw new Error('no vCPU hit the removed block');
        m.hotplug.setEnabled(!m.hotplug.enabled);
        await new Promise((r) => setTimeout(r, 1));
      }
      await until(() => pool.counters().samples >= 200, '200 samples');
      await pool.stop();

      const samples = pool.drainSamples();
      const history = m.publisher.history!;
      const mismatched = samples.filter((s) => !history.matches(s));
      expect(mismatched).toEqual([]);
      expect(samples.length).toBe(pool.counters().samples);
      // Both sides of the toggle were seen: hits in the block, and faults while it was gone.
      // (A faulted access's sample may come from a newer view: translating is an access too.)
      const inBlock = samples.filter((s) => s.gpa >= 4 * MiB);
      expect(inBlock.some((s) => s.regionId >= 0)).toBe(true);
      expect(pool.counters().regionNotFoundFaults).toBeGreaterThan(0);
      m.publisher.close();
    },
  );
});
