import { describe, expect, it } from 'vitest';
import { formatRunSummary } from '../../src/cli/summary.js';
import { emptyRunReport, healthyRunReport, violatingRunReport } from '../sim/report-fixture.js';

describe('run summary', () => {
  it('prints a title and aligned lines for a healthy run', () => {
    // The fixture: 117,822,361 accesses in 3 s over 4 vCPUs (27.3 M to 32.1 M each),
    // 3000 updates, 380 hotplug blocks of 2 MiB reclaimed, 1,840,974 accesses checked.
    expect(formatRunSummary(healthyRunReport())).toBe(
      [
        'addrspace run: pc, rcu, 4 vCPUs, 3 s, mixed workload, seed 1',
        '  accesses      118 M in 3 s: 41.4 M/s after warm-up, 39.3 M/s overall (per vCPU 9.09 M/s to 10.7 M/s)',
        '  warm-up       300 ms at 20.6 M/s (JIT; left out of the first figure)',
        '  mmio exits    8,000, round trip p50 14.1 µs, p99 39.4 µs',
        '  ioeventfd     41.2 k signals',
        '  churn         3,000 updates, 1,000/s: hotplug 380, bar 891, romd 627, alias 533, ioeventfd 569',
        '  update cost   p50 44.5 µs, p99 140 µs',
        '  generations   3,000 published; adopt p50 17.9 µs, p99 92 µs, max 372 µs',
        '  grace period  p50 163 µs, p99 642 µs, max 1.86 ms',
        '  reclaimed     380 mappings, 760 MiB',
        '  faults        5 vCPU accesses (RegionNotFound 3, RegionType 2, IoAccess 0), 2 topology updates refused',
        '  backend       4,122 requests, 8,244 DMA accesses, 4,122 doorbell signals',
        '  check         no violations in 1.84 M checked accesses',
        '',
      ].join('\n'),
    );
  });

  it('lists the first three violations, counts the rest, and flags the unsafe strategy', () => {
    const lines = formatRunSummary(violatingRunReport()).split('\n');
    expect(lines[0]).toBe('addrspace run: pc, none, 4 vCPUs, 3 s, mixed workload, seed 1');
    expect(lines.slice(12)).toEqual([
      '  check         17 violations in 1.84 M checked accesses',
      '    poison: vCPU 1, generation 1204, GPA 0x100200040 at 1.203 s: read poison through hotplug block 3 after its grace period ended (expected 0x5A5A5A5A11223344, got 0xDEADDEADDEADDEAD)',
      '    translation: vCPU 3, generation 1290, GPA 0xFEBF1000 at 1.310 s: translated through a view that no generation published (expected IO virtio-mmio-1 @ 0x0, got Ram ram-below-4g @ 0xFEBF1000)',
      '    torn: vCPU 0, generation 2011, GPA 0x70000 at 2.500 s: an 8-byte read saw halves of two writes <script> (expected 0x0101010101010101, got 0x0101010102020202)',
      '    ... and 14 more',
      '  note          strategy none does not synchronise: violations are expected',
      '',
    ]);
  });

  it('prints zeros and "off" for a run with nothing recorded and checks off', () => {
    expect(formatRunSummary(emptyRunReport())).toBe(
      [
        'addrspace run: machines/tiny.json, mutex, 2 vCPUs, 500 ms, seed 9',
        '  accesses      0 in 500 ms: 0/s (per vCPU 0/s to 0/s)',
        '  mmio exits    0, round trip p50 0 µs, p99 0 µs',
        '  ioeventfd     0 signals',
        '  churn         0 updates, 0/s',
        '  update cost   p50 0 µs, p99 0 µs',
        '  generations   0 published; adopt p50 0 µs, p99 0 µs, max 0 µs',
        '  grace period  p50 0 µs, p99 0 µs, max 0 µs',
        '  reclaimed     0 mappings, 0 B',
        '  check         off (--no-check)',
        '',
      ].join('\n'),
    );
  });

  it('with --verify all, says how many RAM accesses were verified and dropped', () => {
    const base = healthyRunReport();
    const report = {
      ...base,
      check: {
        ...base.check,
        mode: 'all' as const,
        ramAccesses: 2_000_000,
        verifiedAccesses: 1_990_000,
        unverified: 10_000,
        dropped: 3,
      },
    };
    expect(
      formatRunSummary(report)
        .split('\n')
        .find((l) => l.startsWith('  check')),
    ).toBe(
      '  check         no violations; --verify all: 1.99 M of 2 M RAM accesses verified (99.50%), 3 dropped',
    );
  });

  it('says when a run was interrupted', () => {
    const text = formatRunSummary({ ...healthyRunReport(), interrupted: true });
    expect(text.endsWith('  note          interrupted: the report covers the time run\n')).toBe(
      true,
    );
  });
});
