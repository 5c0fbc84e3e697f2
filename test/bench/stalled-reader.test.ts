/**
 * The stalled-reader rows of `bench --json` (SPEC 7), from the built CLI with only that
 * section selected: one row per strategy (raw has no view to stall), with the SPEC keys
 * and values that hold by construction: vCPU 0 stalled, the other vCPU ran, `rcu` kept
 * retired memory behind the stall (its grace periods wait for the stalled reader), `mutex`
 * blocked the owner behind it (the stalled reader holds the lock), `none` retained at most
 * one publish's worth. Run `npm run build` first. Also: `sections` picks sections.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBenchOptions } from '../../src/bench/options.js';
import type { BenchReport, BenchStalledReaderRow } from '../../src/bench/report-types.js';
import { formatUs } from '../../src/bench/table.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'addrspace-stall-'));
const jsonFile = join(dir, 'bench.json');
const MiB = 2 ** 20;

let status = -1;
let stderr = '';
let report: BenchReport;

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    execFile(
      process.execPath,
      [
        main,
        'bench',
        '--quick',
        '--sections',
        'stalledReader',
        '--vcpus',
        '2',
        '--json',
        jsonFile,
        '--quiet',
      ],
      { cwd: root, timeout: 120_000 },
      (error, _stdout, err) => {
        status = error ? Number((error as { code?: number }).code ?? 1) : 0;
        stderr = err;
        resolve();
      },
    );
  });
  if (status === 0) report = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchReport;
}, 130_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench --quick --sections stalledReader --json FILE', () => {
  const row = (strategy: string): BenchStalledReaderRow =>
    report.stalledReader!.find((r) => r.strategy === strategy)!;

  it('exits 0 and runs that section only', () => {
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(report.strategies).toEqual([]);
    expect(report.render).toEqual([]);
    expect(Object.keys(report.sectionSeconds!)).toEqual(['stalledReader']);
  });

  it('has one row per strategy with the SPEC 7 keys and sane values', () => {
    expect(report.stalledReader!.map((r) => r.strategy)).toEqual([
      'rcu',
      'seqlock',
      'mutex',
      'rwlock',
      'refcount',
      'hazard',
      'ebr',
      'leftright',
      'none',
    ]);
    for (const r of report.stalledReader!) {
      expect(Object.keys(r).slice(0, 6)).toEqual([
        'strategy',
        'stallMs',
        'retainedBytesMax',
        'reclaimLatencyUs',
        'ownerBlockedUs',
        'accessesPerSecond',
      ]);
      expect(r.stallMs).toBe(100);
      expect(r.stalls).toBeGreaterThanOrEqual(1);
      expect(r.accessesPerSecond).toBeGreaterThan(0);
      expect(Number.isInteger(r.retainedBytesMax) && r.retainedBytesMax >= 0).toBe(true);
      expect(r.reclaimLatencyUs.p50).toBeGreaterThanOrEqual(0);
      expect(r.reclaimLatencyUs.p99).toBeGreaterThanOrEqual(r.reclaimLatencyUs.p50);
      expect(r.ownerBlockedUs).toBeGreaterThanOrEqual(0);
    }
  });

  it('rcu holds retired memory behind the stall; mutex blocks the owner; none holds one publish', () => {
    expect(row('rcu').retainedBytesMax).toBeGreaterThanOrEqual(4 * MiB);
    expect(row('rcu').reclaimLatencyUs.p99).toBeGreaterThanOrEqual(50_000);
    expect(row('mutex').ownerBlockedUs).toBeGreaterThanOrEqual(50_000);
    expect(row('none').retainedBytesMax).toBeLessThanOrEqual(2 * MiB);
  });
});

describe('bench sections', () => {
  it('are picked from a comma list, in run order', () => {
    expect(resolveBenchOptions({ sections: 'stalledReader,render' }).sections).toEqual([
      'render',
      'stalledReader',
    ]);
    expect(resolveBenchOptions({}).sections).toContain('stalledReader');
  });

  it('refuse an unknown section, naming it', () => {
    expect(() => resolveBenchOptions({ sections: 'render,stall' })).toThrow(
      'sections[1]: must be one of throughput, readerLoop, latency, micro, render, memory, hypervisorPaths, stalledReader',
    );
  });
});

it('bench tables show a second or more in seconds (an owner blocked behind a stall)', () => {
  expect([formatUs(1_888_761), formatUs(24_060), formatUs(585)]).toEqual([
    '1.89 s',
    '24.1 ms',
    '585 µs',
  ]);
});
