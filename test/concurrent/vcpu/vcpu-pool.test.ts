/**
 * The vCPU pool with real piscina worker threads over raw shared guest memory (no
 * published view: the `raw` strategy). Workers load the built dist/workers/vcpu.js
 * (run `npm run build` first).
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccessGenerator,
  type WorkloadDescription,
} from '../../../src/concurrent/vcpu/access-pattern.js';
import { SampleKind } from '../../../src/concurrent/vcpu/sampler.js';
import { VcpuPool, type VcpuPoolOptions } from '../../../src/concurrent/vcpu/vcpu-pool.js';
import { VcpuStatus } from '../../../src/concurrent/vcpu/vcpu-state.js';

const workerFile = fileURLToPath(new URL('../../../dist/workers/vcpu.js', import.meta.url));
const RAM_BASE = 0x10_0000;
const RAM_SIZE = 1 << 20;

const pools: VcpuPool[] = [];
function rawPool(buffer: SharedArrayBuffer, options: Partial<VcpuPoolOptions> = {}): VcpuPool {
  const pool = new VcpuPool({
    vcpus: 2,
    memory: { kind: 'raw', handle: { buffer, base: RAM_BASE } },
    workerFile,
    sliceMs: 5,
    ...options,
  });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the pool made `n` accesses (each vCPU, or in total), however loaded the host is. */
async function untilAccesses(pool: VcpuPool, n: number, vcpu?: number): Promise<void> {
  const started = performance.now();
  while (pool.counters(vcpu).accesses < n) {
    if (performance.now() - started > 20_000) {
      const seen = pool.counters(vcpu).accesses;
      const lost = JSON.stringify(pool.lost);
      throw new Error(`fewer than ${n} accesses after 20 s (${seen}; lost ${lost})`);
    }
    await sleep(2);
  }
}

describe('VcpuPool over raw memory', () => {
  it('pause() resolves with every vCPU out of its slice; nothing runs until resume()', async () => {
    const pool = rawPool(new SharedArrayBuffer(RAM_SIZE), { sliceMs: 50 });
    pool.start({ kind: 'seq', seed: 1, ram: [{ base: RAM_BASE, size: RAM_SIZE }] });
    await pool.whenRunning();
    await untilAccesses(pool, 10_000);
    await pool.pause();
    expect(pool.paused).toBe(true);
    const frozen = pool.counters().accesses;
    const slices = pool.exits.length;
    expect([0, 1].map((v) => pool.status(v))).toEqual([VcpuStatus.Idle, VcpuStatus.Idle]);
    await sleep(60);
    expect([pool.counters().accesses, pool.exits.length]).toEqual([frozen, slices]);
    await pool.pause(); // already paused: resolves at once
    pool.resume();
    expect(pool.paused).toBe(false);
    await untilAccesses(pool, frozen + 10_000);
    expect(pool.exits.length).toBeGreaterThanOrEqual(slices);
    await pool.stop();
  });

  it('runs slices back to back until stop, with live counters and exit records', async () => {
    const pool = rawPool(new SharedArrayBuffer(RAM_SIZE));
    pool.start({ kind: 'random', seed: 1, ram: [{ base: RAM_BASE, size: RAM_SIZE }] });
    await pool.whenRunning();
    await untilAccesses(pool, 100_000);
    const live = pool.counters().accesses;
    expect(live).toBeGreaterThan(0);
    await pool.stop();

    const total = pool.counters();
    expect(total.accesses).toBeGreaterThanOrEqual(live);
    expect(total.accesses).toBe(pool.exits.reduce((s, e) => s + e.accesses, 0));
    expect(total.reads + total.writes).toBe(total.accesses);
    expect(total.slices).toBe(pool.exits.length);
    expect([total.faults, total.mmioExits]).toEqual([0, 0]);
    for (let v = 0; v < 2; v++) {
      const mine = pool.exits.filter((e) => e.vcpu === v);
      expect(mine.map((e) => e.slice)).toEqual(mine.map((_, i) => i));
      // The last slice saw the stop request, or ran out of time just before it came.
      expect(['stopped', 'time']).toContain(mine.at(-1)!.reason);
      expect(pool.status(v)).toBe(VcpuStatus.Stopped);
    }
    expect(pool.exits.some((e) => e.reason === 'time')).toBe(true);
  });

  it.each(['mixed', 'seq', 'random'] as const)(
    'resumes each vCPU’s %s access stream exactly, whichever thread runs the next slice and across stop/start',
    async (kind) => {
      const memory = new SharedArrayBuffer(RAM_SIZE);
      const half = RAM_SIZE / 2;
      const workloads: WorkloadDescription[] = [0, 1].map((v) => ({
        kind,
        seed: 100 + v,
        readRatio: 0,
        ram: [{ base: RAM_BASE + v * half, size: half }],
      }));
      const pool = rawPool(memory, { sliceAccesses: 3000, batch: 100 });
      pool.start(workloads);
      await pool.whenRunning();
      await untilAccesses(pool, 20_000, 0);
      await untilAccesses(pool, 20_000, 1);
      await pool.stop();
      pool.start(workloads);
      await untilAccesses(pool, 40_000, 0);
      await untilAccesses(pool, 40_000, 1);
      await pool.stop();
      expect(pool.exits.length).toBeGreaterThan(8);

      // Replay each vCPU's stream on this thread for exactly the accesses it made.
      const expected = new Uint8Array(RAM_SIZE);
      const view = new DataView(expected.buffer);
      for (let v = 0; v < 2; v++) {
        const gen = new AccessGenerator(workloads[v]!);
        const n = pool.counters(v).accesses;
        for (let i = 0; i < n; i++) {
          gen.next();
          view.setUint32(gen.gpa - RAM_BASE, gen.value, true);
        }
      }
      expect(Buffer.compare(new Uint8Array(memory), expected)).toBe(0);
    },
  );

  it('a vCPU thread terminated in the middle of a slice is reported, not waited for', async () => {
    const lost: number[] = [];
    const pool = rawPool(new SharedArrayBuffer(RAM_SIZE), {
      sliceMs: 10_000,
      onReaderLost: (vcpu) => lost.push(vcpu),
    });
    pool.start({ kind: 'seq', seed: 3, ram: [{ base: RAM_BASE, size: RAM_SIZE }] });
    await pool.whenRunning();
    const started = performance.now();
    expect(await pool.terminateVcpuThread(0)).toBe(true);
    while (pool.lost.length === 0 && performance.now() - started < 10_000) await sleep(2);
    expect(lost).toEqual([0]);
    expect(pool.lost).toMatchObject([{ vcpu: 0, slice: 0 }]);
    expect(pool.status(0)).toBe(VcpuStatus.Crashed);

    const before = pool.counters(1).accesses;
    await untilAccesses(pool, before + 10_000, 1);
    expect(pool.counters(1).accesses).toBeGreaterThan(before);
    await pool.stop();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(pool.status(1)).toBe(VcpuStatus.Stopped);
  });

  it('restarts a vCPU whose thread died on a fresh thread, where its workload left off', async () => {
    const pool = rawPool(new SharedArrayBuffer(RAM_SIZE), { sliceMs: 10_000 });
    pool.start({ kind: 'seq', seed: 3, ram: [{ base: RAM_BASE, size: RAM_SIZE }] });
    await pool.whenRunning();
    expect(pool.restartVcpu(0)).toBe(false); // running: nothing to restart
    expect(await pool.terminateVcpuThread(0)).toBe(true);
    const started = performance.now();
    while (pool.lost.length === 0 && performance.now() - started < 10_000) await sleep(2);
    const before = pool.counters(0).accesses;
    expect(pool.restartVcpu(0)).toBe(true);
    expect(pool.restarts).toBe(1);
    await untilAccesses(pool, before + 10_000, 0);
    expect(pool.status(0)).not.toBe(VcpuStatus.Crashed);
    await pool.stop();
    expect(pool.status(0)).toBe(VcpuStatus.Stopped);
    expect(pool.lost).toMatchObject([{ vcpu: 0, slice: 0 }]);
    expect(pool.restartVcpu(0)).toBe(false); // stopped: the pool does not run
  });

  it('counts faults and goes on when the workload leaves guest memory', async () => {
    const pool = rawPool(new SharedArrayBuffer(RAM_SIZE), { vcpus: 1 });
    // The second range lies past the end of the raw memory: RegionNotFound there.
    pool.start({
      kind: 'seq',
      seed: 1,
      ram: [
        { base: RAM_BASE + RAM_SIZE - 16, size: 16 },
        { base: RAM_BASE + RAM_SIZE, size: 16 },
      ],
    });
    await pool.whenRunning();
    await untilAccesses(pool, 10_000);
    await pool.stop();
    const c = pool.counters();
    expect(c.faults).toBe(c.regionNotFoundFaults);
    expect(c.faults * 2).toBeGreaterThanOrEqual(c.accesses - 8);
    expect(c.faults * 2).toBeLessThanOrEqual(c.accesses + 8);
  });

  it('samples every Nth translation and records every poison read', async () => {
    const memory = new SharedArrayBuffer(RAM_SIZE);
    const POISON = 0xdeadbeef;
    // The last 256 bytes are "retired" memory filled with the poison word.
    const retired = RAM_BASE + RAM_SIZE - 256;
    new Uint32Array(memory, RAM_SIZE - 256).fill(POISON);
    const pool = rawPool(memory, { vcpus: 1, sampleEvery: 1000, poisonWord: POISON });
    pool.start({
      kind: 'random',
      seed: 8,
      readRatio: 1,
      ram: [{ base: RAM_BASE, size: RAM_SIZE }],
    });
    await pool.whenRunning();
    await untilAccesses(pool, 50_000);
    await pool.stop();
    const c = pool.counters();
    const samples = pool.drainSamples();
    const poison = samples.filter((s) => s.kind === SampleKind.Poison);
    expect(c.poisonReads).toBeGreaterThan(0);
    expect(poison.length).toBe(c.poisonReads);
    expect(poison.every((s) => s.gpa >= retired)).toBe(true);
    const regular = samples.filter((s) => s.kind === SampleKind.Read);
    expect(regular.length).toBeGreaterThan(0);
    expect(regular.every((s) => s.generation === 0 && s.gpa < retired)).toBe(true);
    // Raw memory names no regions: region 0, host address = offset in the buffer.
    expect(regular.every((s) => s.regionId === 0 && s.hostAddress === s.gpa - RAM_BASE)).toBe(true);
    expect([samples.length, pool.droppedSamples()]).toEqual([c.samples, 0]);
    // Every 1000th access of the vCPU's life, plus each poison read.
    expect(c.samples).toBeGreaterThanOrEqual(Math.floor(c.accesses / 1000));
    expect(c.samples).toBeLessThanOrEqual(Math.floor(c.accesses / 1000) + c.poisonReads);
  });

  it('never writes the poison word itself', async () => {
    const memory = new SharedArrayBuffer(4096);
    const pool = rawPool(memory, { vcpus: 1, poisonWord: 0 });
    // Writes of random values; a zero would be the "poison" here, so none may remain.
    pool.start({ kind: 'seq', seed: 4, readRatio: 0, ram: [{ base: RAM_BASE, size: 4096 }] });
    await pool.whenRunning();
    await untilAccesses(pool, 10_000);
    await pool.stop();
    expect(pool.counters().writes).toBeGreaterThan(1024);
    expect(new Uint32Array(memory).includes(0)).toBe(false);
  });

  it('refuses bad options and workloads before anything runs', () => {
    const memory = { kind: 'raw' as const, handle: { buffer: new SharedArrayBuffer(64), base: 0 } };
    expect(() => new VcpuPool({ vcpus: 0, memory, workerFile })).toThrowError(
      expect.objectContaining({
        code: 'InvalidArgument',
        message: 'Invalid argument: vcpus: must be an integer in [1, 1024]',
      }),
    );
    expect(() => new VcpuPool({ vcpus: 1, memory, workerFile, batch: 4096 })).toThrowError(
      expect.objectContaining({
        message: 'Invalid argument: batch: must be an integer in [1, 1024]',
      }),
    );
    expect(() => new VcpuPool({ vcpus: 1, workerFile })).toThrowError(
      expect.objectContaining({
        message: 'Invalid argument: VcpuPool needs either publisher or memory',
      }),
    );
    expect(() => new VcpuPool({ vcpus: 1, memory, workerFile, poisonWord: 2 ** 32 })).toThrowError(
      expect.objectContaining({ message: 'Invalid argument: poisonWord: must be -1 or a uint32' }),
    );
    expect(() => new VcpuPool({ vcpus: 1, memory, workerFile, sliceMs: 0 })).toThrowError(
      expect.objectContaining({
        message: 'Invalid argument: sliceMs: must be an integer in [1, 9007199254740991]',
      }),
    );
    expect(() => new VcpuPool({ vcpus: 1, memory, workerFile, sampleCapacity: 1000 })).toThrowError(
      expect.objectContaining({
        message: 'Invalid argument: sampleCapacity: must be a power of two',
      }),
    );
    const pool = rawPool(new SharedArrayBuffer(64), { vcpus: 1 });
    expect(() => pool.start({ kind: 'seq', seed: 1, ram: [] })).toThrowError(
      expect.objectContaining({
        message: 'Invalid argument: workload.ram: must hold at least one aligned 4-byte slot',
      }),
    );
    expect(pool.counters().slices).toBe(0);
  });
});
