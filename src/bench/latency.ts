/**
 * Latencies measured while vCPU threads run:
 *
 * - `adopt` and `grace-period` (rcu), by reader batch size: vCPUs run the random workload
 *   on the product's pool while the owner churns BARs; the publisher records, per publish
 *   and reader, the time from the publishing store to the reader's announcement of that
 *   generation (the reader's own clock), and per publish the time until every online
 *   reader had announced it (the owner's grace-period scan). The batch size is both the
 *   slice's quiescent-point interval and the reader's batch limit. The default batch is
 *   measured again with one vCPU, which leaves a core to the owner on a 2-core host.
 * - `ping-pong`: the floor under an exit, a bare `Atomics.wait`/`notify` round trip between
 *   two threads (ping-pong.ts).
 * - `mmio-exit`, with no churn and at `churnPerSecond`: one vCPU reads a UART register in
 *   a loop; every access posts an exit to its mailbox and blocks until the owner's event
 *   loop has run the region's ops. The vCPU times each round trip itself.
 *
 * It reads numbers the product already keeps (publisher stats, the pool's latency rings)
 * and never adds instrumentation to the hot path.
 */
import type { WorkloadDescription } from '../concurrent/vcpu/access-pattern.js';
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import type { WorkloadKind } from '../concurrent/vcpu/workload.js';
import { summarize } from '../sim/stats.js';
import { BarChurn } from './churn.js';
import { BenchGuest, type BenchRam } from './guest.js';
import { measurePingPong } from './ping-pong.js';
import type { BenchLatencyRow } from './report-types.js';
import { RAM_WORKLOADS, type RamWorkload, workloadsFor } from './throughput.js';
import { significant, sleep } from './timing.js';

/** The vCPU pool's default batch (accesses between quiescent points). */
export const DEFAULT_BATCH = 256;

export interface LatencyPlan {
  /** Reader batch sizes to compare (accesses between quiescent points). */
  readonly batches: readonly number[];
  readonly vcpus: number;
  /** The workload the vCPUs run while adoption is measured (a RAM workload). */
  readonly workload: WorkloadKind;
  readonly churnPerSecond: number;
  readonly warmupMs: number;
  /** How long each batch size is measured. */
  readonly measureMs: number;
  /** How long MMIO exits are measured. */
  readonly mmioMs: number;
  readonly seed: number;
}

/** Adoption and grace-period rows for each batch size, then the MMIO exit row. */
export async function measureLatencies(
  plan: LatencyPlan,
  ram: BenchRam,
): Promise<BenchLatencyRow[]> {
  const rows: BenchLatencyRow[] = [];
  for (const batch of plan.batches) {
    rows.push(...(await measureAdoption(plan, ram, batch, plan.vcpus)));
  }
  // With one vCPU a core stays free for the owner: adoption without oversubscription.
  if (plan.vcpus > 1 && plan.batches.includes(DEFAULT_BATCH)) {
    rows.push(...(await measureAdoption(plan, ram, DEFAULT_BATCH, 1)));
  }
  const pingPong = await measurePingPong(plan.warmupMs, plan.mmioMs);
  rows.push({ name: 'ping-pong', ...latencyOf(pingPong) });
  rows.push(await measureMmioExit(plan, ram, 0));
  if (plan.churnPerSecond > 0) rows.push(await measureMmioExit(plan, ram, plan.churnPerSecond));
  return rows;
}

async function measureAdoption(
  plan: LatencyPlan,
  ram: BenchRam,
  batch: number,
  vcpus: number,
): Promise<BenchLatencyRow[]> {
  const guest = new BenchGuest(ram, { strategy: 'rcu', batchLimit: batch });
  const pool = new VcpuPool({ vcpus, publisher: guest.publisher, batch });
  const churn = new BarChurn(guest.bars);
  const kind: RamWorkload = RAM_WORKLOADS.includes(plan.workload as RamWorkload)
    ? (plan.workload as RamWorkload)
    : 'random';
  try {
    pool.start(workloadsFor(kind, vcpus, ram.bytes, plan.seed));
    await pool.whenRunning();
    churn.start(plan.churnPerSecond);
    await sleep(plan.warmupMs);
    const before = guest.publisher.stats();
    await sleep(plan.measureMs);
    churn.stop();
    const after = guest.publisher.stats();
    const common = {
      strategy: 'rcu' as const,
      vcpus,
      batch,
      churnPerSecond: Math.round(churn.achievedPerSecond),
    };
    return [
      {
        name: 'adopt',
        ...common,
        ...latencyOf(newSamples(before.adoptLatencyUs, after.adoptLatencyUs)),
      },
      {
        name: 'grace-period',
        ...common,
        ...latencyOf(newSamples(before.gracePeriodUs, after.gracePeriodUs)),
      },
    ];
  } finally {
    churn.stop();
    await pool.destroy();
    guest.destroy();
  }
}

async function measureMmioExit(
  plan: LatencyPlan,
  ram: BenchRam,
  churnPerSecond: number,
): Promise<BenchLatencyRow> {
  const guest = new BenchGuest(ram, { strategy: 'rcu' });
  const pool = new VcpuPool({ vcpus: 1, publisher: guest.publisher });
  const churn = new BarChurn(guest.bars);
  const workload: WorkloadDescription = {
    kind: 'mmio',
    seed: plan.seed,
    mmio: [{ name: 'uart', gpa: guest.uartGpa, size: 1, isWrite: false }],
  };
  try {
    pool.start(workload);
    await pool.whenRunning();
    churn.start(churnPerSecond);
    await sleep(plan.warmupMs);
    pool.drainMmioLatencies(() => {});
    const samples: number[] = [];
    const until = performance.now() + plan.mmioMs;
    // The pool keeps the latest 8192 round trips per vCPU: drain often.
    while (performance.now() < until) {
      await sleep(20);
      pool.drainMmioLatencies((us) => samples.push(us));
    }
    churn.stop();
    return {
      name: 'mmio-exit',
      strategy: 'rcu',
      vcpus: 1,
      churnPerSecond: Math.round(churn.achievedPerSecond),
      ...latencyOf(samples),
    };
  } finally {
    churn.stop();
    await pool.destroy();
    guest.destroy();
  }
}

/**
 * The samples added between two snapshots of a publisher's sample window (oldest
 * first). Once the window has wrapped, the whole later window is used.
 */
function newSamples(before: readonly number[], after: readonly number[]): readonly number[] {
  return after.length > before.length ? after.slice(before.length) : after;
}

function latencyOf(samples: readonly number[]): {
  samples: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
} {
  const s = summarize(samples);
  return {
    samples: samples.length,
    p50Us: significant(s.p50),
    p99Us: significant(s.p99),
    maxUs: significant(s.max),
  };
}
