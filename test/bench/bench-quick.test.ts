/**
 * CI smoke test of the benchmarks: the built `addrspace bench --quick` runs every section
 * and writes a JSON report with the SPEC 9 keys and one row per measured combination; its
 * tables go to stdout and, stderr being a pipe, nothing (no progress) to stderr.
 * Timings depend on the host, so nothing here asserts a speed: only the report's shape
 * and the relations that hold by construction (a `none` row is 1.00x of itself, a raw row
 * per workload, ratios computed within the run). Run `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/report-types.js';
import { STRATEGIES } from '../../src/concurrent/reader/reader-api.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'addrspace-bench-'));
const jsonFile = join(dir, 'bench.json');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let run: Run;
let report: BenchReport;

beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  run = await new Promise<Run>((resolve) => {
    execFile(
      process.execPath,
      [main, 'bench', '--quick', '--vcpus', '1', '--json', jsonFile],
      { cwd: root, timeout: 240_000 },
      (error, stdout, stderr) => {
        const status = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
  if (run.status === 0) report = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchReport;
}, 250_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('addrspace bench --quick --vcpus 1 --json FILE', () => {
  it('exits 0, prints the tables and writes the report', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const title of ['Multi-vCPU throughput', 'Latency while vCPUs run', 'Render', 'Targets']) {
      expect(run.stdout).toContain(title);
    }
    expect(report.version).toBe(1);
  });

  it('has a strategy row with the SPEC 9 keys for every strategy, workload and churn rate', () => {
    const keys = [
      'strategy',
      'vcpus',
      'workload',
      'churnPerSecond',
      'accessesPerSecond',
      'ratioToNone',
    ];
    for (const row of report.strategies) {
      for (const key of keys) expect(row).toHaveProperty(key);
      expect(row.vcpus).toBe(1);
      expect(row.accessesPerSecond).toBeGreaterThan(0);
    }
    const combos = report.strategies.map((r) => `${r.strategy}/${r.workload}/${r.churnPerSecond}`);
    const expected: string[] = [];
    for (const workload of ['seq', 'random', 'hot']) {
      for (const churn of [0, 1000]) {
        for (const strategy of STRATEGIES) {
          expected.push(`${strategy}/${workload}/${churn}`);
        }
      }
      expected.push(`raw/${workload}/0`);
    }
    expect(combos.sort()).toEqual(expected.sort());
  });

  it('computes every ratio against the none row of the same run', () => {
    for (const row of report.strategies) {
      const none = report.strategies.find(
        (r) =>
          r.strategy === 'none' &&
          r.workload === row.workload &&
          r.churnPerSecond === row.churnPerSecond,
      )!;
      expect(row.ratioToNone).toBeCloseTo(row.accessesPerSecond / none.accessesPerSecond, 2);
    }
  });

  it('has render rows for 1k and 10k regions with the SPEC 9 keys', () => {
    expect(report.render.map((r) => r.regions)).toEqual([1000, 10_000]);
    for (const row of report.render) {
      expect(row.fullRenderUs).toBeGreaterThan(0);
      expect(row.singleChangeUs).toBeGreaterThan(0);
    }
  });

  it('has bare reader loop rows for every strategy and raw', () => {
    expect(report.readerLoop?.map((r) => r.strategy).sort()).toEqual([...STRATEGIES, 'raw'].sort());
  });

  it('has the latency, micro, memory and target sections', () => {
    expect(report.latency?.map((r) => r.name)).toEqual([
      'adopt',
      'grace-period',
      'ping-pong',
      'mmio-exit',
      'mmio-exit',
    ]);
    const exits = report.latency?.filter((r) => r.name === 'mmio-exit');
    expect(exits?.[0]?.churnPerSecond).toBe(0);
    expect(exits?.[1]?.churnPerSecond).toBeGreaterThan(0);
    const groups = new Set(report.micro?.map((r) => r.group));
    expect([...groups]).toEqual([
      'translate',
      'lookup',
      'diff',
      'ioeventfd',
      'dirty-log',
      'workload',
    ]);
    expect(report.memory?.[0]).toMatchObject({
      guestBytes: 4 * 2 ** 30,
      touchedBytes: 32 * 2 ** 20,
    });
    const targets = report.targets?.map((t) => t.name);
    expect(targets).toContain('rcu vs raw, seq (rcu at churn 0)');
    expect(targets).toContain('MMIO exit p50 with churn vs ping-pong p50');
    expect(targets).toContain('reader translate, 16k vs 16 ranges');
  });

  it('has doorbell rows with hyp_ioevtfd on (signal, no exit) and off (one exit each)', () => {
    const rows = report.doorbells ?? [];
    expect(rows.map((r) => [r.hypIoeventfd, r.exitsPerDoorbell, r.vcpuSignalsPerDoorbell])).toEqual(
      [
        [true, 0, 1],
        [false, 1, 0],
      ],
    );
    expect(rows.every((r) => r.doorbellsPerSecond > 0)).toBe(true);
  });

  it('has dirty-logging rows, off and on, for writes-only seq under rcu', () => {
    const rows = report.dirtyLog ?? [];
    expect(rows.map((r) => [r.strategy, r.workload, r.logging, r.ratioToOff > 0])).toEqual([
      ['rcu', 'seq, writes only', 'off', true],
      ['rcu', 'seq, writes only', 'on', true],
    ]);
    expect(rows[0]!.ratioToOff).toBe(1);
  });
});
