/**
 * Multi-vCPU throughput: every strategy (and `raw`, the same access pattern on the bare
 * RAM buffer) x workload x vCPU count x churn rate, on the product's own vCPU pool
 * (`VcpuPool`, piscina threads running `vcpu-slice.ts`), so the numbers are those of the
 * translated path users run, not of a copy.
 *
 * Method, per (vCPUs, workload): one pool per strategy, kept for all churn rates (its
 * threads and JIT stay warm). Per churn rate, the rounds are interleaved: round r runs
 * each strategy in turn (the order rotated every round), so slow drift of a shared host
 * hits every strategy alike and the ratios are side by side. One measurement:
 * start the vCPUs and the churn, wait until every vCPU is running (a start barrier on the
 * pool's shared state words), warm up (the first time until each vCPU thread has had a
 * set amount of CPU time, so the JIT has settled even on a loaded host), read the per-vCPU
 * counters in shared memory, wait one round, read them again: accesses / elapsed seconds.
 * The row is the median round. Each round also reads the CPU time the vCPU threads got
 * (thread-cpu.ts), which says how much of the round they actually ran.
 *
 * Workloads: `seq` gives each vCPU its own part of RAM to sweep (vCPUs sweeping the same
 * lines would measure cache-line ping-pong, not translation); `random` and `hot` span all
 * of RAM. `raw` rows run once per workload with no churn (there is no view to change).
 *
 * It never changes what a pool or a reader does; it only starts, waits, and reads counters.
 */

import { PAGE_SIZE } from '../base/constants.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { WorkloadDescription } from '../concurrent/vcpu/access-pattern.js';
import type { GuestMemoryStrategy } from '../concurrent/vcpu/raw-memory.js';
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import { BarChurn } from './churn.js';
import { BenchGuest, BenchRam } from './guest.js';
import { BENCH_WORKLOADS, type BenchWorkload } from './options.js';
import type { BenchStrategyRow } from './report-types.js';
import { busiestThreadsSeconds, snapshot } from './thread-cpu.js';
import { median, sleep } from './timing.js';

export type RamWorkload = BenchWorkload;
export const RAM_WORKLOADS: readonly RamWorkload[] = BENCH_WORKLOADS;

export interface ThroughputPlan {
  readonly vcpus: readonly number[];
  readonly workloads: readonly RamWorkload[];
  readonly churnRates: readonly number[];
  readonly strategies: readonly GuestMemoryStrategy[];
  readonly rounds: number;
  /** Length of one measured round. */
  readonly roundMs: number;
  /** Warm-up before the first round of a pool (JIT, caches), at least this wall time... */
  readonly warmupMs: number;
  /** ...and until each vCPU thread has had this much CPU time (a loaded host stretches it). */
  readonly warmupCpuMs: number;
  /** Warm-up before later rounds (the JIT is warm; this lets slices and churn settle). */
  readonly rewarmMs: number;
  readonly ramBytes: number;
  readonly seed: number;
  /** Stops the matrix early: no new round starts; rows keep the rounds they have. */
  readonly signal?: AbortSignal | undefined;
}

/** Progress: called with each row as soon as its group is measured. */
export type RowListener = (row: BenchStrategyRow) => void;

/** A strategy under test in one (vCPUs, workload) group. */
interface Contender {
  readonly strategy: GuestMemoryStrategy;
  readonly pool: VcpuPool;
  readonly churn: BarChurn | undefined;
  warmed: boolean;
}

/** Runs the whole matrix; rows in (vCPUs, workload, churn, strategy) order. */
export async function measureThroughput(
  plan: ThroughputPlan,
  onRow: RowListener = () => {},
): Promise<BenchStrategyRow[]> {
  const ram = new BenchRam(plan.ramBytes);
  touchEveryPage(ram.mapping.bytes);
  const guests = new Map<Strategy, BenchGuest>();
  for (const s of plan.strategies) {
    if (s !== 'raw') guests.set(s, new BenchGuest(ram, { strategy: s }));
  }
  const rows: BenchStrategyRow[] = [];
  try {
    for (const vcpus of plan.vcpus) {
      for (const workload of plan.workloads) {
        if (plan.signal?.aborted) break;
        const group = await measureGroup(plan, ram, guests, vcpus, workload, onRow);
        rows.push(...group);
      }
    }
  } finally {
    for (const guest of guests.values()) guest.destroy();
    ram.release();
  }
  return rows;
}

async function measureGroup(
  plan: ThroughputPlan,
  ram: BenchRam,
  guests: ReadonlyMap<Strategy, BenchGuest>,
  vcpus: number,
  workload: RamWorkload,
  onRow: RowListener,
): Promise<BenchStrategyRow[]> {
  const contenders = plan.strategies.map((strategy) => makeContender(strategy, vcpus, ram, guests));
  const descriptions = workloadsFor(workload, vcpus, ram.bytes, plan.seed);
  const rows: BenchStrategyRow[] = [];
  const rawChurn = plan.churnRates.includes(0) ? 0 : plan.churnRates[0];
  try {
    for (const churn of plan.churnRates) {
      if (plan.signal?.aborted) break;
      const present = contenders.filter((c) => c.strategy !== 'raw' || churn === rawChurn);
      const rounds = new Map<Contender, Round[]>(present.map((c) => [c, []]));
      for (let r = 0; r < plan.rounds; r++) {
        for (let k = 0; k < present.length; k++) {
          if (plan.signal?.aborted) break;
          const c = present[(k + r) % present.length]!;
          const round = await measureOnce(c, descriptions, c.strategy === 'raw' ? 0 : churn, plan);
          rounds.get(c)!.push(round);
        }
      }
      const none = present.find((c) => c.strategy === 'none');
      const noneRate = none === undefined ? Number.NaN : median(rates(rounds.get(none)!));
      for (const c of present) {
        const perRound = rounds.get(c)!;
        if (perRound.length === 0) continue; // interrupted before its first round
        const rate = median(rates(perRound));
        rows.push({
          strategy: c.strategy,
          vcpus,
          workload,
          churnPerSecond: c.strategy === 'raw' ? 0 : churn,
          accessesPerSecond: Math.round(rate),
          ratioToNone: round3(rate / noneRate),
          roundsAccessesPerSecond: rates(perRound).map(Math.round),
          ...cpuFigures(perRound, vcpus),
          ...faultFigures(perRound, c.pool),
        });
      }
    }
  } finally {
    await Promise.all(contenders.map((c) => c.pool.destroy()));
  }
  addRatioToRaw(rows);
  for (const row of rows) onRow(row);
  return rows;
}

function makeContender(
  strategy: GuestMemoryStrategy,
  vcpus: number,
  ram: BenchRam,
  guests: ReadonlyMap<Strategy, BenchGuest>,
): Contender {
  if (strategy === 'raw') {
    const pool = new VcpuPool({ vcpus, memory: { kind: 'raw', handle: ram.rawHandle() } });
    return { strategy, pool, churn: undefined, warmed: false };
  }
  const guest = guests.get(strategy)!;
  const pool = new VcpuPool({ vcpus, publisher: guest.publisher });
  return { strategy, pool, churn: new BarChurn(guest.bars), warmed: false };
}

/** One vCPU workload each: `seq` sweeps a private part of RAM, the others span all of it. */
export function workloadsFor(
  kind: RamWorkload,
  vcpus: number,
  ramBytes: number,
  seed: number,
): WorkloadDescription[] {
  const part = Math.floor(ramBytes / vcpus / PAGE_SIZE) * PAGE_SIZE;
  return Array.from({ length: vcpus }, (_, v) => ({
    kind,
    seed: seed + v,
    ram: kind === 'seq' ? [{ base: v * part, size: part }] : [{ base: 0, size: ramBytes }],
  }));
}

/** One measured round: all vCPUs together. */
interface Round {
  readonly accesses: number;
  /** Accesses that failed (RegionNotFound, RegionType, IoAccess): expected only under `none`. */
  readonly faults: number;
  readonly seconds: number;
  /** CPU time the vCPU threads got in the round (undefined without /proc). */
  readonly cpuSeconds: number | undefined;
}

function rates(rounds: readonly Round[]): number[] {
  return rounds.map((r) => r.accesses / r.seconds);
}

/**
 * `vcpuBusy`: the share of the round's wall time the vCPU threads ran (1 = every vCPU on
 * a core all the time); `accessesPerCpuSecond`: accesses per vCPU-thread CPU second,
 * the per-access cost with the host's load taken out. Medians over rounds.
 */
function cpuFigures(
  rounds: readonly Round[],
  vcpus: number,
): { vcpuBusy?: number; accessesPerCpuSecond?: number } {
  const measured = rounds.filter((r) => r.cpuSeconds !== undefined && r.cpuSeconds > 0);
  if (measured.length === 0) return {};
  return {
    vcpuBusy: round3(median(measured.map((r) => r.cpuSeconds! / (r.seconds * vcpus)))),
    accessesPerCpuSecond: Math.round(median(measured.map((r) => r.accesses / r.cpuSeconds!))),
  };
}

/** Starts the vCPUs and the churn, waits for all vCPUs to run, warms up, measures one round. */
async function measureOnce(
  c: Contender,
  workloads: WorkloadDescription[],
  churn: number,
  plan: ThroughputPlan,
): Promise<Round> {
  c.pool.start(workloads);
  c.churn?.start(churn);
  try {
    await c.pool.whenRunning();
    if (c.warmed) await sleep(plan.rewarmMs);
    else await warmUp(workloads.length, plan);
    c.warmed = true;
    const ticksBefore = snapshot();
    const before = c.pool.counters();
    const t0 = performance.now();
    await sleep(plan.roundMs, plan.signal);
    const after = c.pool.counters();
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = busiestThreadsSeconds(ticksBefore, snapshot(), workloads.length);
    return {
      accesses: after.accesses - before.accesses,
      faults: after.faults - before.faults,
      seconds,
      cpuSeconds,
    };
  } finally {
    c.churn?.stop();
    await c.pool.stop();
  }
}

/**
 * Failed accesses over the measured rounds, and vCPUs whose thread died (their counters
 * stop, so the row undercounts: the row says so rather than hiding it).
 */
function faultFigures(
  rounds: readonly Round[],
  pool: VcpuPool,
): { faults?: number; lostVcpus?: number } {
  const faults = rounds.reduce((sum, r) => sum + r.faults, 0);
  return {
    ...(faults > 0 ? { faults } : {}),
    ...(pool.lost.length > 0 ? { lostVcpus: pool.lost.length } : {}),
  };
}

/**
 * The first warm-up of a pool: `warmupMs` of wall time, then on until the vCPU threads
 * have had `warmupCpuMs` of CPU each (the JIT needs CPU time, not wall time), at most
 * 20 times `warmupMs`.
 */
async function warmUp(vcpus: number, plan: ThroughputPlan): Promise<void> {
  const started = performance.now();
  const before = snapshot();
  await sleep(plan.warmupMs);
  const wantedSeconds = (plan.warmupCpuMs * vcpus) / 1000;
  while (performance.now() - started < 20 * plan.warmupMs) {
    const cpu = busiestThreadsSeconds(before, snapshot(), vcpus);
    if (cpu === undefined || cpu >= wantedSeconds) return;
    await sleep(10);
  }
}

/** `ratioToRaw` of each row: over the raw row of the same vCPUs and workload. */
function addRatioToRaw(rows: BenchStrategyRow[]): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const raw = rows.find(
      (r) => r.strategy === 'raw' && r.vcpus === row.vcpus && r.workload === row.workload,
    );
    if (raw === undefined) continue;
    rows[i] = { ...row, ratioToRaw: round3(row.accessesPerSecond / raw.accessesPerSecond) };
  }
}

/** Commits every page of `bytes` now, so no row pays the first-touch page faults. */
function touchEveryPage(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; at += PAGE_SIZE) bytes[at] = 0;
}

function round3(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : Number.NaN;
}
