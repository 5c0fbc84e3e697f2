/**
 * The targets of the benchmark issue, checked against one run's rows (ratios are always
 * taken within the run). A target whose rows the run did not measure (a strategy or vCPU
 * count not selected) is reported with `met: null`.
 *
 * - rcu >= 0.95x none on seq and on random, churn 1000/s (every vCPU count);
 * - rcu >= 10x mutex and >= 3x seqlock on seq, 2 vCPUs, churn 1000/s;
 * - rcu >= 0.8x raw on seq (churn 0, like the raw row; every vCPU count);
 * - publish-to-adopt p99 <= 100 µs while vCPUs run (the pool's default batch, 256);
 * - one change at 100k regions <= 0.5 ms; full render of 100k <= 100 ms.
 *
 * The ratio targets are checked on the vCPU rows (the product's whole path) and again on
 * the bare reader loops (the readers alone), so a miss can be placed on one or the other.
 *
 * Ratios are judged on wall-clock accesses/s, as measured; where the rows carry CPU
 * figures the same ratio per vCPU CPU-second is shown beside it (on a loaded host the
 * wall ratios carry the host's noise, the CPU ratios much less of it).
 *
 * It judges numbers; it measures nothing.
 */

import { checkInstrumentTargets } from './instrument-targets.js';
import { DEFAULT_BATCH } from './latency.js';
import type {
  BenchLatencyRow,
  BenchMicroRow,
  BenchRenderRow,
  BenchStrategyRow,
  BenchTargetCheck,
} from './report-types.js';
import { formatUs } from './table.js';

interface Rows {
  readonly strategies: readonly BenchStrategyRow[];
  /** Bare reader loops: the same ratios without the workload generator and slice loop. */
  readonly readerLoop: readonly BenchStrategyRow[];
  readonly latency: readonly BenchLatencyRow[];
  readonly render: readonly BenchRenderRow[];
  readonly micro?: readonly BenchMicroRow[];
}

function rowOf(
  rows: readonly BenchStrategyRow[],
  strategy: string,
  workload: string,
  vcpus: number,
  churn: number,
): BenchStrategyRow | undefined {
  return rows.find(
    (r) =>
      r.strategy === strategy &&
      r.workload === workload &&
      r.vcpus === vcpus &&
      r.churnPerSecond === churn,
  );
}

/** `rcu / other >= wanted` for each vCPU count in `vcpus` that was measured. */
function ratioCheck(
  rows: readonly BenchStrategyRow[],
  name: string,
  other: string,
  workload: string,
  churn: { rcu: number; other: number },
  wanted: number,
  vcpus: readonly number[],
): BenchTargetCheck {
  const parts: string[] = [];
  let met: boolean | null = null;
  for (const n of vcpus) {
    const a = rowOf(rows, 'rcu', workload, n, churn.rcu);
    const b = rowOf(rows, other, workload, n, churn.other);
    if (a === undefined || b === undefined || b.accessesPerSecond === 0) continue;
    const ratio = a.accessesPerSecond / b.accessesPerSecond;
    // The same ratio per vCPU CPU-second: what it would be without other load on the host.
    const cpu =
      a.accessesPerCpuSecond !== undefined && b.accessesPerCpuSecond
        ? `, CPU ${(a.accessesPerCpuSecond / b.accessesPerCpuSecond).toFixed(2)}x`
        : '';
    parts.push(`${ratio.toFixed(2)}x (${n} vCPU${n === 1 ? '' : 's'}${cpu})`);
    met = (met ?? true) && ratio >= wanted;
  }
  return {
    name,
    target: `>= ${wanted}x`,
    measured: parts.length > 0 ? parts.join(', ') : 'not measured',
    met,
  };
}

export function checkTargets(rows: Rows): BenchTargetCheck[] {
  const s = rows.strategies;
  const allVcpus = [...new Set(s.map((r) => r.vcpus))];
  const checks: BenchTargetCheck[] = [
    ratioCheck(
      s,
      'rcu vs none, seq, churn 1000/s',
      'none',
      'seq',
      { rcu: 1000, other: 1000 },
      0.95,
      allVcpus,
    ),
    ratioCheck(
      s,
      'rcu vs none, random, churn 1000/s',
      'none',
      'random',
      { rcu: 1000, other: 1000 },
      0.95,
      allVcpus,
    ),
    ratioCheck(
      s,
      'rcu vs mutex, seq, churn 1000/s',
      'mutex',
      'seq',
      { rcu: 1000, other: 1000 },
      10,
      [2],
    ),
    ratioCheck(
      s,
      'rcu vs seqlock, seq, churn 1000/s',
      'seqlock',
      'seq',
      { rcu: 1000, other: 1000 },
      3,
      [2],
    ),
    ratioCheck(
      s,
      'rcu vs raw, seq (rcu at churn 0)',
      'raw',
      'seq',
      { rcu: 0, other: 0 },
      0.8,
      allVcpus,
    ),
  ];
  const loops = rows.readerLoop;
  const loopVcpus = [...new Set(loops.map((r) => r.vcpus))];
  const c1000 = { rcu: 1000, other: 1000 };
  checks.push(
    ratioCheck(
      loops,
      'bare loop: rcu vs none, seq, churn 1000/s',
      'none',
      'seq',
      c1000,
      0.95,
      loopVcpus,
    ),
    ratioCheck(loops, 'bare loop: rcu vs mutex, seq, churn 1000/s', 'mutex', 'seq', c1000, 10, [2]),
    ratioCheck(
      loops,
      'bare loop: rcu vs seqlock, seq, churn 1000/s',
      'seqlock',
      'seq',
      c1000,
      3,
      [2],
    ),
    ratioCheck(
      loops,
      'bare loop: rcu vs raw, seq (rcu at churn 0)',
      'raw',
      'seq',
      { rcu: 0, other: 0 },
      0.8,
      loopVcpus,
    ),
  );
  // The first row is at the largest vCPU count; a 1-vCPU row may follow.
  const adopts = rows.latency.filter((r) => r.name === 'adopt' && r.batch === DEFAULT_BATCH);
  const adopt = adopts[0];
  checks.push({
    name: `adopt latency p99, batch ${DEFAULT_BATCH}, vCPUs running`,
    target: '<= 100 µs',
    measured:
      adopts.length === 0
        ? 'not measured'
        : adopts
            .map((a) => `${formatUs(a.p99Us)} (${a.vcpus} vCPU${a.vcpus === 1 ? '' : 's'})`)
            .join(', '),
    met: adopt === undefined || adopt.samples === 0 ? null : adopt.p99Us <= 100,
  });
  const big = rows.render.find((r) => r.regions === 100_000);
  checks.push({
    name: 'one change, 100k regions',
    target: '<= 0.5 ms',
    measured:
      big === undefined
        ? 'not measured'
        : `${formatUs(big.singleChangeUs)}${big.singleChangePublishedUs === undefined ? '' : ` (${formatUs(big.singleChangePublishedUs)} published)`}`,
    met: big === undefined ? null : big.singleChangeUs <= 500,
  });
  checks.push({
    name: 'full render, 100k regions',
    target: '<= 100 ms',
    measured: big === undefined ? 'not measured' : formatUs(big.fullRenderUs),
    met: big === undefined ? null : big.fullRenderUs <= 100_000,
  });
  checks.push(...checkInstrumentTargets(rows));
  return checks;
}
