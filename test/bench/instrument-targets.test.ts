import { describe, expect, it } from 'vitest';
import { checkInstrumentTargets } from '../../src/bench/instrument-targets.js';
import type { BenchStrategyRow } from '../../src/bench/report-types.js';

function rawRow(accessesPerSecond: number, accessesPerCpuSecond?: number): BenchStrategyRow {
  return {
    strategy: 'raw',
    vcpus: 2,
    workload: 'seq',
    churnPerSecond: 0,
    accessesPerSecond,
    ratioToNone: 1,
    ...(accessesPerCpuSecond === undefined ? {} : { accessesPerCpuSecond }),
  };
}

const latency = (name: string, p50Us: number, churnPerSecond?: number) => ({
  name,
  samples: 100,
  p50Us,
  p99Us: p50Us * 2,
  maxUs: p50Us * 3,
  ...(churnPerSecond === undefined ? {} : { churnPerSecond }),
});

const micro = (name: string, p50Ns: number) => ({
  name,
  group: 'lookup',
  opsPerSecond: 1e9 / p50Ns,
  meanNs: p50Ns,
  p50Ns,
  p99Ns: p50Ns,
  samples: 10,
});

describe('checkInstrumentTargets', () => {
  it('judges each ratio within the run: 0.6x raw met, 2.5x exit missed, 3x publish met, 1.2x translate met', () => {
    const checks = checkInstrumentTargets({
      strategies: [rawRow(120e6, 60e6)],
      readerLoop: [rawRow(200e6, 100e6)],
      latency: [
        latency('ping-pong', 10),
        latency('mmio-exit', 12, 0),
        latency('mmio-exit', 25, 1000),
      ],
      render: [
        { regions: 1000, fullRenderUs: 1, singleChangeUs: 1, singleChangePublishedUs: 20 },
        { regions: 100_000, fullRenderUs: 1, singleChangeUs: 1, singleChangePublishedUs: 60 },
      ],
      micro: [
        micro('reader translate, 16 ranges (page index)', 10),
        micro('reader translate, 16k ranges (page index)', 12),
      ],
    });
    expect(checks.map((c) => [c.name, c.target, c.met])).toEqual([
      ['vCPU-path raw vs bare-loop raw, seq, 2 vCPUs', '>= 0.5x', true],
      ['MMIO exit p50 with churn vs ping-pong p50', '<= 2x', false],
      ['one change + publish, 100k vs 1k regions', '<= 4x', true],
      ['reader translate, 16k vs 16 ranges', '<= 1.5x', true],
    ]);
    expect(checks[0]!.measured).toBe('0.60x (120.0 M/s / 200.0 M/s, CPU 0.60x)');
    expect(checks[1]!.measured).toMatch(/^2\.50x \(/);
    expect(checks[2]!.measured).toMatch(/^3\.00x \(/);
    expect(checks[3]!.measured).toBe('1.20x (12.0 ns / 10.0 ns)');
  });

  it('says not measured (met null) where the run lacks the rows', () => {
    const checks = checkInstrumentTargets({
      strategies: [],
      readerLoop: [],
      latency: [],
      render: [],
    });
    expect(checks.map((c) => [c.measured, c.met])).toEqual(Array(4).fill(['not measured', null]));
  });
});
