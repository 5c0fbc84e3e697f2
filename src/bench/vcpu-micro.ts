/**
 * Micro rows of the vCPU's own loop on raw guest memory (no translation, no strategy):
 * what a slice spends per access around the access itself, the part every throughput row
 * (raw included) pays. Two ways over the same seeded `seq` stream: the fused batch the
 * slices run for `seq` and `random` (vcpu-ram-batch.ts: each access generated and
 * performed in one loop), and the block path (`AccessGenerator.fill` into an
 * `AccessBlock`, then `performBatch`) the other workloads take. Guest RAM is 16 MiB,
 * committed when built.
 * It measures only; nothing it builds outlives the rows.
 */
import { AccessBlock, AccessGenerator } from '../concurrent/vcpu/access-pattern.js';
import { createMmioMailbox, MmioMailboxClient } from '../concurrent/vcpu/mmio-mailbox.js';
import { RawGuestMemory } from '../concurrent/vcpu/raw-memory.js';
import { SampleRing, TRANSLATION_SAMPLE_WIDTH } from '../concurrent/vcpu/sampler.js';
import { BatchTally, performBatch } from '../concurrent/vcpu/vcpu-batch.js';
import { performRamBatch } from '../concurrent/vcpu/vcpu-ram-batch.js';
import { blackhole, type MicroTask } from './tinybench-run.js';

const RAM_BYTES = 16 * 2 ** 20;
const BATCH = 256;
const REPS = 4 * BATCH;
const SETTINGS = { sampleEvery: 0, poison: -1 };

/**
 * The fused batch and the block path, `seq` (a `random` row would time cache and TLB
 * misses more than the loop), per access, on raw memory.
 */
export function vcpuLoopTasks(): MicroTask[] {
  const buffer = new SharedArrayBuffer(RAM_BYTES);
  new Uint8Array(buffer).fill(1);
  const memory = new RawGuestMemory({ buffer, base: 0 });
  const mailbox = new MmioMailboxClient(createMmioMailbox());
  const samples = SampleRing.create(16, TRANSLATION_SAMPLE_WIDTH);
  const tally = new BatchTally();
  const ram = [{ base: 0, size: RAM_BYTES }];
  const run = new AccessGenerator({ kind: 'seq', seed: 1, ram }).openRamRun()!;
  const fused: MicroTask = {
    name: `vCPU fused batch, raw memory (seq, batches of ${BATCH}, per access)`,
    group: 'workload',
    reps: REPS,
    fn: () => {
      for (let done = 0; done < REPS; done += BATCH) {
        performRamBatch(memory, mailbox, samples, run, BATCH, SETTINGS, tally);
      }
      blackhole.value ^= tally.sink;
    },
  };
  const gen = new AccessGenerator({ kind: 'seq', seed: 1, ram });
  const block = new AccessBlock(BATCH);
  const blocks: MicroTask = {
    name: `vCPU fill + performBatch, raw memory (seq, blocks of ${BATCH}, per access)`,
    group: 'workload',
    reps: REPS,
    fn: () => {
      for (let done = 0; done < REPS; done += BATCH) {
        gen.fill(block, BATCH);
        performBatch(memory, mailbox, samples, block, 0, SETTINGS, tally);
      }
      blackhole.value ^= tally.accesses;
    },
  };
  return [fused, blocks];
}
