/**
 * `runSimulation` end to end with real threads: vCPU workers on piscina, the device
 * backend worker, churn on the owner, the checker. Short runs (1 s, 2 vCPUs) on a small
 * machine file. Workers load from dist/, so this imports the built module (run
 * `npm run build` first).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChurnOp } from '../../src/sim/churn-schedule.js';
import type { RunReport } from '../../src/sim/report-types.js';
import type * as Simulation from '../../src/sim/simulation.js';

const { runSimulation } = (await import(
  new URL('../../dist/src/sim/simulation.js', import.meta.url).href
)) as typeof Simulation;

const scratch: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'addrspace-sim-'));
  scratch.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

const MACHINE = new URL('./fixtures/sim-small.json', import.meta.url).pathname;
const short = { machine: MACHINE, vcpus: 2, durationSeconds: 1 } as const;

/** Every key SPEC 9 requires of `run --json`, with the type of its value. */
function expectSpecKeys(report: RunReport): void {
  const json = JSON.parse(JSON.stringify(report)) as RunReport;
  expect(json).toMatchObject({
    version: 1,
    machine: expect.any(String),
    strategy: expect.any(String),
    vcpus: expect.any(Number),
    durationSeconds: expect.any(Number),
    seed: expect.any(Number),
    accesses: {
      total: expect.any(Number),
      perSecond: expect.any(Number),
      perVcpu: expect.any(Array),
    },
    mmioExits: {
      count: expect.any(Number),
      latencyUs: { p50: expect.any(Number), p99: expect.any(Number) },
    },
    ioeventfdSignals: expect.any(Number),
    churn: {
      updates: expect.any(Number),
      perSecond: expect.any(Number),
      byKind: expect.any(Object),
      updateCostUs: { p50: expect.any(Number), p99: expect.any(Number) },
    },
    publish: {
      generations: expect.any(Number),
      adoptLatencyUs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) },
      gracePeriodUs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) },
    },
    reclaimed: { mappings: expect.any(Number), bytes: expect.any(Number) },
    check: {
      enabled: expect.any(Boolean),
      samples: expect.any(Number),
      violations: expect.any(Number),
      firstViolations: expect.any(Array),
    },
    timeline: expect.any(Array),
  });
  for (const point of json.timeline) {
    expect(point).toMatchObject({
      t: expect.any(Number),
      accessesPerSecond: expect.any(Number),
      generation: expect.any(Number),
    });
  }
}

describe('runSimulation', () => {
  it('the default run (pc, rcu, mixed, all churn) holds every invariant; every vCPU progresses', async () => {
    const progress: number[] = [];
    const report = await runSimulation({
      vcpus: 2,
      durationSeconds: 1,
      progressIntervalMs: 100,
      onProgress: (p) => progress.push(p.elapsedSeconds),
    });
    expectSpecKeys(report);
    expect(report).toMatchObject({ machine: 'pc', strategy: 'rcu', vcpus: 2, seed: 1 });
    expect(report).toMatchObject({ workload: 'mixed', exitCode: 0 });
    expect(report.check).toMatchObject({ enabled: true, violations: 0, firstViolations: [] });
    expect(report.check.samples).toBeGreaterThan(0);
    expect(report.accesses.perVcpu).toHaveLength(2);
    for (const n of report.accesses.perVcpu) expect(n).toBeGreaterThan(0);
    expect(report.accesses.total).toBe(report.accesses.perVcpu[0]! + report.accesses.perVcpu[1]!);
    expect(Object.keys(report.churn.byKind).sort()).toEqual([
      'alias',
      'bar',
      'hotplug',
      'ioeventfd',
      'romd',
    ]);
    expect(report.churn.updates).toBeGreaterThan(0);
    const applied = Object.values(report.churn.byKind).reduce((a, b) => a + b!, 0);
    expect(applied).toBe(report.churn.updates);
    expect(report.churnEvents).toHaveLength(report.churn.updates);
    expect(report.churnFailed).toBe(0);
    // One publish per applied update, plus the initial view.
    expect(report.publish.generations).toBe(report.churn.updates + 1);
    expect(report.reclaimed.bytes).toBe(report.reclaimed.mappings * 2 * 1024 * 1024);
    expect(report.timeline.length).toBeGreaterThanOrEqual(2);
    expect(report.timeline.at(-1)!.perVcpuAccessesPerSecond).toHaveLength(2);
    expect(report.deviceBackend!.dmaOps).toBe(2 * report.deviceBackend!.requests);
    expect(progress.length).toBeGreaterThan(2);
    expect(report.unsafe).toBeUndefined();
  });

  it('strategy none with hotplug churn reads reclaimed memory and reports it (exit 1)', async () => {
    const report = await runSimulation({
      ...short,
      strategy: 'none',
      churn: 'hotplug',
      churnRate: 2000,
      workload: 'random',
    });
    expect(report.unsafe).toBe(true);
    expect(report.check.violations).toBeGreaterThan(0);
    expect(report.exitCode).toBe(1);
    // Reads of poisoned memory; lookups in reclaimed view tables are caught too (table age).
    expect(report.check.byKind?.poison).toBeGreaterThan(0);
    const kept = report.check.firstViolations;
    for (const v of kept.filter((k) => k.kind === 'poison')) {
      expect(v.actual).toBe('poison 0xDEADBEEF');
    }
    expect(kept.length).toBeLessThanOrEqual(10);
  });

  it('the same seed applies the same churn sequence (a machine file, run twice)', async () => {
    const runs: ChurnOp[][] = [];
    const reports: RunReport[] = [];
    for (let i = 0; i < 2; i++) {
      const report = await runSimulation(
        { ...short, durationSeconds: 0.5, seed: 11, churnRate: 500, workload: 'seq' },
        { keepChurnOps: 10_000, onChurnOps: (ops) => runs.push([...ops]) },
      );
      reports.push(report);
    }
    const [a, b] = runs as [ChurnOp[], ChurnOp[]];
    const n = Math.min(a.length, b.length);
    expect(n).toBeGreaterThan(10);
    expect(b.slice(0, n)).toEqual(a.slice(0, n));
    for (const report of reports) {
      expect(report.machine).toBe(MACHINE);
      expect(report.check.violations).toBe(0);
      // The fixture has no BAR window: bar is listed, with 0.
      expect(report.churn.byKind.bar).toBe(0);
      for (const count of report.accesses.perVcpu) expect(count).toBeGreaterThan(0);
    }
  });

  it('refuses bad options and bad machine files before anything runs', async () => {
    await expect(runSimulation({ vcpus: 0 })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'vcpus: must be an integer between 1 and 64',
    });
    await expect(runSimulation({ machine: '/nonexistent/machine.json' })).rejects.toThrow(
      /cannot read machine file \/nonexistent\/machine\.json/,
    );
  });

  it('takes churn and workload defaults from the machine file unless the options say', async () => {
    const fixture = JSON.parse(await readFile(MACHINE, 'utf8')) as Record<string, unknown>;
    const dir = await scratchDir();
    const withDefaults = join(dir, 'defaults.json');
    await writeFile(
      withDefaults,
      JSON.stringify({ ...fixture, churn: { kinds: 'romd', rate: 200 }, workload: 'seq' }),
    );
    const fromFile = await runSimulation({ machine: withDefaults, vcpus: 1, durationSeconds: 0.3 });
    expect(fromFile).toMatchObject({ churnKinds: ['romd'], churnRate: 200, workload: 'seq' });
    expect(fromFile.churn.byKind).toEqual({ romd: fromFile.churn.updates });

    const bogus = join(dir, 'bogus.json');
    await writeFile(bogus, JSON.stringify({ ...fixture, churn: 'romd,bogus' }));
    await expect(runSimulation({ machine: bogus, vcpus: 1 })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'machine.churn[1]: must be one of hotplug, bar, romd, alias, ioeventfd, got "bogus"',
    });
    // Options win over the file; then the file's bad default does not matter.
    const given = await runSimulation({
      machine: bogus,
      vcpus: 1,
      durationSeconds: 0.3,
      churn: 'alias',
      workload: 'hot',
    });
    expect(given).toMatchObject({ churnKinds: ['alias'], workload: 'hot', churnRate: 1000 });
  });

  it('leaves no handle behind: a process that ran a simulation exits on its own', async () => {
    const script = `
      const { runSimulation } = await import(${JSON.stringify(
        new URL('../../dist/src/sim/simulation.js', import.meta.url).href,
      )});
      const r = await runSimulation({ machine: ${JSON.stringify(MACHINE)}, vcpus: 1, durationSeconds: 0.3 });
      console.log('done', r.check.violations, r.accesses.total > 0);`;
    const file = join(await scratchDir(), 'run.mjs');
    await writeFile(file, script);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    expect([code, signal, output.trim()]).toEqual([0, null, 'done 0 true']);
  });

  it('stops early on abort and says so', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = performance.now();
    const report = await runSimulation({ ...short, durationSeconds: 30, signal: abort.signal });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(report.interrupted).toBe(true);
    expect(report.durationSeconds).toBeLessThan(10);
    expect(report.check.violations).toBe(0);
  });
});
