/**
 * The targets of the "sharp instrument" issue, judged on one run's rows (ratios within
 * the run; `met: null` where the run did not measure a row):
 *
 * - the vCPU path's `raw` >= 0.5x the bare loop's `raw` (seq, 2 vCPUs): the harness costs
 *   less than half of an access's budget (the rcu-vs-seqlock/mutex ratios on the vCPU rows
 *   are in targets.ts);
 * - MMIO exit p50 under churn <= 2x the bare ping-pong p50;
 * - one change + publish at 100k regions <= 4x the same at 1k (`singleChangePublishedUs`);
 * - reader translate at 16k ranges <= 1.5x at 16 ranges (micro rows by name prefix).
 *
 * It judges numbers; it measures nothing.
 */
import type {
  BenchLatencyRow,
  BenchMicroRow,
  BenchRenderRow,
  BenchStrategyRow,
  BenchTargetCheck,
} from './report-types.js';
import { formatUs } from './table.js';

export interface InstrumentRows {
  readonly strategies: readonly BenchStrategyRow[];
  readonly readerLoop: readonly BenchStrategyRow[];
  readonly latency: readonly BenchLatencyRow[];
  readonly render: readonly BenchRenderRow[];
  readonly micro?: readonly BenchMicroRow[];
}

/** `a / b` against `wanted` (`atMost`: a / b <= wanted, else >=), or not measured. */
function ratioTarget(
  name: string,
  a: number | undefined,
  b: number | undefined,
  wanted: number,
  atMost: boolean,
  describe: (ratio: number) => string,
): BenchTargetCheck {
  const target = `${atMost ? '<=' : '>='} ${wanted}x`;
  if (a === undefined || b === undefined || !(b > 0)) {
    return { name, target, measured: 'not measured', met: null };
  }
  const ratio = a / b;
  return {
    name,
    target,
    measured: describe(ratio),
    met: atMost ? ratio <= wanted : ratio >= wanted,
  };
}

/** The ns per operation at the median of the micro row whose name begins `prefix`. */
function microNs(rows: readonly BenchMicroRow[] | undefined, prefix: string): number | undefined {
  const row = rows?.find((r) => r.name.startsWith(prefix));
  return row === undefined ? undefined : (row.p50Ns ?? row.meanNs);
}

export function checkInstrumentTargets(rows: InstrumentRows): BenchTargetCheck[] {
  const vcpuRaw = rows.strategies.find(
    (r) => r.strategy === 'raw' && r.workload === 'seq' && r.vcpus === 2,
  );
  const loopRaw = rows.readerLoop.find(
    (r) => r.strategy === 'raw' && r.workload === 'seq' && r.vcpus === 2,
  );
  const pingPong = rows.latency.find((r) => r.name === 'ping-pong');
  const exit = rows.latency.find((r) => r.name === 'mmio-exit' && (r.churnPerSecond ?? 0) > 0);
  const small = rows.render.find((r) => r.regions === 1000)?.singleChangePublishedUs;
  const big = rows.render.find((r) => r.regions === 100_000)?.singleChangePublishedUs;
  const t16 = microNs(rows.micro, 'reader translate, 16 ranges');
  const t16k = microNs(rows.micro, 'reader translate, 16k ranges');
  const rate = (v: number) => `${(v / 1e6).toFixed(1)} M/s`;
  return [
    ratioTarget(
      'vCPU-path raw vs bare-loop raw, seq, 2 vCPUs',
      vcpuRaw?.accessesPerSecond,
      loopRaw?.accessesPerSecond,
      0.5,
      false,
      (x) => {
        const cpu =
          vcpuRaw?.accessesPerCpuSecond !== undefined && loopRaw?.accessesPerCpuSecond
            ? `, CPU ${(vcpuRaw.accessesPerCpuSecond / loopRaw.accessesPerCpuSecond).toFixed(2)}x`
            : '';
        return `${x.toFixed(2)}x (${rate(vcpuRaw!.accessesPerSecond)} / ${rate(loopRaw!.accessesPerSecond)}${cpu})`;
      },
    ),
    ratioTarget(
      `MMIO exit p50 with churn vs ping-pong p50`,
      exit?.p50Us,
      pingPong?.p50Us,
      2,
      true,
      (x) =>
        `${x.toFixed(2)}x (${formatUs(exit!.p50Us)} at ${exit!.churnPerSecond}/s / ${formatUs(pingPong!.p50Us)})`,
    ),
    ratioTarget(
      'one change + publish, 100k vs 1k regions',
      big,
      small,
      4,
      true,
      (x) => `${x.toFixed(2)}x (${formatUs(big!)} / ${formatUs(small!)})`,
    ),
    ratioTarget(
      'reader translate, 16k vs 16 ranges',
      t16k,
      t16,
      1.5,
      true,
      (x) => `${x.toFixed(2)}x (${t16k!.toFixed(1)} ns / ${t16!.toFixed(1)} ns)`,
    ),
  ];
}
