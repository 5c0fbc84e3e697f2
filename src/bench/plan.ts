/**
 * What one bench run measures and for how long, derived from the resolved bench options.
 *
 * Full run (the default), about 8 minutes on 2 cores (more on a loaded host, whose CPU
 * the warm-ups wait for):
 * - throughput: strategies x {seq, random, hot} x `vcpus` x churn {0, 1000, 10000}/s, plus
 *   a raw row per workload and vCPU count; 3 interleaved rounds of `durationSeconds`
 *   (default 1 s; the length of one round) per row, after a warm-up per pool of 0.5 s and
 *   at least 0.4 s of CPU time per vCPU thread (0.2 s before later rounds); 64 MiB of RAM;
 * - reader loops: the same strategies and raw reading RAM sequentially in bare loops (no
 *   workload generator), churn {0, 1000}/s, 3 interleaved rounds like the throughput rows;
 * - latency: adoption and grace periods (rcu) at reader batch sizes 16, 64, 256 (the vCPU
 *   pool's default) and 1024, 2 s each under the `workload` option (default random) at
 *   `churnRate` (default 1000/s) on the largest vCPU count; MMIO exits for 2 s;
 * - micro: tinybench, 300 ms per task; lookups over 16, 1k, 16k ranges; diff at 10k;
 * - render: 1k, 10k, 100k leaves, also with a publisher attached;
 * - memory: a 16 GiB guest touching 64 MiB and 256 MiB.
 *
 * Quick run (`quick`, for CI; under a minute on 2 cores): one round of `durationSeconds`
 * (default 0.25 s) per row, churn {0, 1000} (reader loops: 1000), one batch size, 40 ms
 * per micro task, render at 1k and 10k, a 4 GiB guest. Its timings are rough: it checks
 * that the harness works.
 *
 * This module only computes numbers; it runs nothing.
 */
import type { HypervisorPathsPlan } from './hypervisor-paths.js';
import type { LatencyPlan } from './latency.js';
import type { LoopPlan } from './loop-throughput.js';
import type { MemoryPlan } from './memory.js';
import type { MicroPlan } from './micro.js';
import type { ResolvedBenchOptions } from './options.js';
import { RAM_WORKLOADS, type ThroughputPlan } from './throughput.js';

export interface BenchPlan {
  readonly throughput: ThroughputPlan;
  readonly readerLoop: LoopPlan;
  readonly latency: LatencyPlan;
  readonly micro: MicroPlan;
  readonly renderRegions: readonly number[];
  readonly memory: MemoryPlan;
  readonly hypervisorPaths: HypervisorPathsPlan;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export function benchPlan(o: ResolvedBenchOptions): BenchPlan {
  const roundMs = Math.round(o.durationSeconds * 1000);
  const maxVcpus = Math.max(...o.vcpus);
  const quick = o.quick;
  return {
    throughput: {
      vcpus: o.vcpus,
      workloads: RAM_WORKLOADS,
      churnRates: quick ? [0, 1000] : [0, 1000, 10_000],
      strategies: o.strategies,
      rounds: quick ? 1 : 3,
      roundMs,
      warmupMs: quick ? 150 : 500,
      warmupCpuMs: quick ? 100 : 400,
      rewarmMs: quick ? 50 : 200,
      ramBytes: 64 * MiB,
      seed: o.seed,
    },
    readerLoop: {
      vcpus: o.vcpus,
      churnRates: quick ? [1000] : [0, 1000],
      strategies: o.strategies,
      rounds: quick ? 1 : 3,
      roundMs: quick ? Math.round(roundMs / 2) : roundMs,
      warmupMs: quick ? 100 : 200,
      ramBytes: 64 * MiB,
    },
    latency: {
      batches: quick ? [256] : [16, 64, 256, 1024],
      vcpus: maxVcpus,
      workload: o.workload,
      churnPerSecond: o.churnRate,
      warmupMs: quick ? 100 : 300,
      measureMs: quick ? 400 : 2000,
      mmioMs: quick ? 300 : 2000,
      seed: o.seed,
    },
    micro: {
      taskMs: quick ? 40 : 300,
      warmupMs: quick ? 10 : 100,
      lookupRanges: [16, 1024, 16_384],
      diffRegions: quick ? 1000 : 10_000,
    },
    renderRegions: quick ? [1000, 10_000] : [1000, 10_000, 100_000],
    hypervisorPaths: {
      rounds: quick ? 2 : 5,
      roundMs: quick ? 200 : 500,
      warmupMs: quick ? 100 : 200,
      seed: o.seed,
    },
    memory: quick
      ? { guestBytes: 4 * GiB, touchedBytes: [32 * MiB] }
      : { guestBytes: 16 * GiB, touchedBytes: [64 * MiB, 256 * MiB] },
  };
}
