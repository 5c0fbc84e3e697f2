/**
 * Rows of the bare reader loops (reader-loop.ts): per vCPU count and churn rate, each
 * strategy and `raw` sweep RAM sequentially with nothing but reads and a quiescent point
 * every 256 accesses. Rounds are interleaved across strategies and the median is kept,
 * as for the vCPU throughput rows (throughput.ts), whose guest and churn it shares.
 *
 * It only starts and stops loop groups and reads their counters.
 */
import { PAGE_SIZE } from '../base/constants.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { GuestMemoryStrategy } from '../concurrent/vcpu/raw-memory.js';
import { BarChurn } from './churn.js';
import { BenchGuest, BenchRam } from './guest.js';
import { LoopGroup, type LoopWorkerData } from './reader-loop.js';
import type { BenchStrategyRow } from './report-types.js';
import { busiestThreadsSeconds, snapshot } from './thread-cpu.js';
import { median, sleep } from './timing.js';

export interface LoopPlan {
  readonly vcpus: readonly number[];
  readonly churnRates: readonly number[];
  readonly strategies: readonly GuestMemoryStrategy[];
  readonly rounds: number;
  readonly roundMs: number;
  /** Before each round: the loops are tiny, so the JIT settles fast. */
  readonly warmupMs: number;
  readonly ramBytes: number;
  /** Stops the loops early: no new round starts; rows keep the rounds they have. */
  readonly signal?: AbortSignal | undefined;
}

export async function measureReaderLoops(plan: LoopPlan): Promise<BenchStrategyRow[]> {
  const ram = new BenchRam(plan.ramBytes);
  for (let at = 0; at < ram.bytes; at += PAGE_SIZE) ram.mapping.bytes[at] = 0;
  const guests = new Map<Strategy, BenchGuest>();
  for (const s of plan.strategies) {
    if (s !== 'raw') guests.set(s, new BenchGuest(ram, { strategy: s }));
  }
  const rows: BenchStrategyRow[] = [];
  try {
    for (const vcpus of plan.vcpus) {
      if (plan.signal?.aborted) break;
      const part = Math.floor(ram.bytes / vcpus / PAGE_SIZE) * PAGE_SIZE;
      const parts = Array.from({ length: vcpus }, (_, v) => ({ base: v * part, size: part }));
      const groups = new Map<GuestMemoryStrategy, LoopGroup>();
      const released: (() => void)[] = [];
      for (const s of plan.strategies) {
        const guest = s === 'raw' ? undefined : guests.get(s)!;
        const memoryOf = (): LoopWorkerData['memory'] => {
          if (guest === undefined) return { kind: 'raw', handle: ram.rawHandle() };
          const index = guest.publisher.allocateReader();
          released.push(() => guest.publisher.releaseReader(index));
          return { kind: 'shared', handle: guest.publisher.readerHandle(index) };
        };
        const group = new LoopGroup(memoryOf, parts);
        groups.set(s, group);
        await group.attached();
      }
      const rawChurn = plan.churnRates.includes(0) ? 0 : plan.churnRates[0];
      try {
        for (const churn of plan.churnRates) {
          const present = new Map([...groups].filter(([s]) => s !== 'raw' || churn === rawChurn));
          rows.push(...(await measureChurn(plan, present, guests, vcpus, churn)));
        }
      } finally {
        await Promise.all([...groups.values()].map((g) => g.destroy()));
        for (const release of released) release();
      }
    }
  } finally {
    for (const guest of guests.values()) guest.destroy();
    ram.release();
  }
  return rows.map((row) => {
    const raw = rows.find((r) => r.strategy === 'raw' && r.vcpus === row.vcpus);
    if (raw === undefined) return row;
    return { ...row, ratioToRaw: round3(row.accessesPerSecond / raw.accessesPerSecond) };
  });
}

function round3(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : Number.NaN;
}

async function measureChurn(
  plan: LoopPlan,
  groups: ReadonlyMap<GuestMemoryStrategy, LoopGroup>,
  guests: ReadonlyMap<Strategy, BenchGuest>,
  vcpus: number,
  churn: number,
): Promise<BenchStrategyRow[]> {
  const order = [...groups.keys()];
  const rates = new Map(order.map((s) => [s, [] as number[]]));
  const busy = new Map(order.map((s) => [s, [] as number[]]));
  const perCpu = new Map(order.map((s) => [s, [] as number[]]));
  for (let r = 0; r < plan.rounds; r++) {
    for (let k = 0; k < order.length; k++) {
      if (plan.signal?.aborted) break;
      const strategy = order[(k + r) % order.length]!;
      const group = groups.get(strategy)!;
      const guest = strategy === 'raw' ? undefined : guests.get(strategy);
      const churner = guest === undefined ? undefined : new BarChurn(guest.bars);
      churner?.start(churn);
      await group.start();
      await sleep(plan.warmupMs);
      const ticks = snapshot();
      const before = group.total();
      const t0 = performance.now();
      await sleep(plan.roundMs, plan.signal);
      const accesses = group.total() - before;
      const seconds = (performance.now() - t0) / 1000;
      const cpu = busiestThreadsSeconds(ticks, snapshot(), vcpus);
      churner?.stop();
      await group.stop();
      rates.get(strategy)!.push(accesses / seconds);
      if (cpu !== undefined && cpu > 0) {
        busy.get(strategy)!.push(cpu / (seconds * vcpus));
        perCpu.get(strategy)!.push(accesses / cpu);
      }
    }
  }
  const noneRate = rates.has('none') ? median(rates.get('none')!) : Number.NaN;
  // Interrupted: a strategy with no round yet has no row.
  return order
    .filter((strategy) => rates.get(strategy)!.length > 0)
    .map((strategy) => {
      const rate = median(rates.get(strategy)!);
      return {
        strategy,
        vcpus,
        workload: 'seq',
        churnPerSecond: strategy === 'raw' ? 0 : churn,
        accessesPerSecond: Math.round(rate),
        ratioToNone: round3(rate / noneRate),
        roundsAccessesPerSecond: rates.get(strategy)!.map(Math.round),
        ...(perCpu.get(strategy)!.length === 0
          ? {}
          : {
              vcpuBusy: round3(median(busy.get(strategy)!)),
              accessesPerCpuSecond: Math.round(median(perCpu.get(strategy)!)),
            }),
      };
    });
}
