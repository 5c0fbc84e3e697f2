/**
 * Dirty marks from the writers that are threads (SPEC 10): vCPU pool threads writing
 * guest RAM, and the device backend's DMA (its own SharedView in its own worker). The
 * small machine file; workers load from dist/ (build first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../src/concurrent/publication/publisher.js';
import type * as Pool from '../../src/concurrent/vcpu/vcpu-pool.js';
import { buildMachine } from '../../src/machine/build.js';
import type { Machine } from '../../src/machine/machine.js';
import { loadMachineFile } from '../../src/machine/machine-file.js';
import type * as Backend from '../../src/sim/device-backend.js';

const { DeviceBackend } = (await import(
  new URL('../../dist/src/sim/device-backend.js', import.meta.url).href
)) as typeof Backend;
const { VcpuPool } = (await import(
  new URL('../../dist/src/concurrent/vcpu/vcpu-pool.js', import.meta.url).href
)) as typeof Pool;

const MACHINE = new URL('./fixtures/sim-small.json', import.meta.url).pathname;
const QUEUE_GPA = 0x1f0_0000; // virtio0's DMA area in ram0 (mapped at GPA 0)
const COMPLETION_GPA = QUEUE_GPA + 64;
const MiB = 2 ** 20;

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(): Promise<{ machine: Machine; publisher: SharedViewPublisher }> {
  const machine = buildMachine(await loadMachineFile(MACHINE));
  const publisher = SharedViewPublisher.attachTo(machine.memory, { strategy: 'rcu' });
  cleanup.push(() => {
    publisher.close();
    machine.dispose();
  });
  return { machine, publisher };
}

function dirtyPages(machine: Machine, mapping: string): Set<number> {
  const log = machine.memory.syncDirtyLog();
  return new Set(log.mappings.find((m) => m.name === mapping)?.pages ?? []);
}

describe('dirty marks from threads', () => {
  it('vCPU threads: every page whose bytes changed after startDirtyLog() is dirty', async () => {
    const { machine, publisher } = await setup();
    const pool = new VcpuPool({ vcpus: 2, publisher, sliceMs: 10 });
    cleanup.push(() => pool.destroy());
    pool.start({ kind: 'random', seed: 3, ram: [{ base: 0, size: MiB }], readRatio: 0 });
    await pool.whenRunning();
    await machine.memory.startDirtyLog();
    const before = machine.mappings.get('ram0')!.bytes.slice(0, MiB);
    await new Promise((r) => setTimeout(r, 100));
    await pool.pause();
    const after = machine.mappings.get('ram0')!.bytes;
    const changed: number[] = [];
    for (let p = 0; p < MiB / 4096; p++) {
      for (let k = p * 4096; k < (p + 1) * 4096; k++) {
        if (after[k] !== before[k]) {
          changed.push(p);
          break;
        }
      }
    }
    const dirty = dirtyPages(machine, 'ram0');
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((p) => !dirty.has(p))).toEqual([]);
    expect([...dirty].every((p) => p < MiB / 4096)).toBe(true); // nothing outside the writes
  }, 30_000);

  it('the device backend: a DMA completion marks its page', async () => {
    const { machine, publisher } = await setup();
    const backend = (await DeviceBackend.start({ machine, publisher, seed: 5, pollMs: 10 }))!;
    cleanup.push(async () => {
      await backend.stop();
    });
    const doorbell = machine.targets.doorbells.find((d) => d.device === 'virtio0')!;
    await machine.memory.startDirtyLog();
    expect(machine.memory.syncDirtyLog().total).toBe(0);
    doorbell.fd.signal();
    const started = performance.now();
    while ((await backend.drain())!.requests < 1) {
      if (performance.now() - started > 20_000) throw new Error('the backend served nothing');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect([...dirtyPages(machine, 'ram0')]).toEqual([COMPLETION_GPA >>> 12]);
  }, 30_000);
});
