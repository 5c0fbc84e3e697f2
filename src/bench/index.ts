/**
 * `runBench(options)`: the benchmarks behind `addrspace bench` / `npm run bench` (SPEC 9).
 *
 * Sections, in order: multi-vCPU throughput (throughput.ts), bare reader loops
 * (loop-throughput.ts), latencies while vCPUs run
 * (latency.ts), single-thread paths with tinybench (micro.ts), render cost
 * (render.ts), resident memory of a lazily committed guest (memory.ts), doorbells with
 * and without hyp_ioevtfd and dirty logging off and on (hypervisor-paths.ts), then the issue's
 * targets judged on this run's numbers (targets.ts). What each section runs and for how
 * long is in plan.ts. Unless `quiet`, each section's table goes to stderr as soon as it
 * is measured (progress for a run of several minutes); the returned report is plain JSON
 * data, and `formatBenchReport` (table.ts) prints all of it.
 *
 * It measures and reports; it never writes files (the CLI writes `--json`).
 */
import { loadavg } from 'node:os';
import { environmentInfo } from '../sim/report-environment.js';
import { REPORT_VERSION } from '../sim/report-types.js';
import { BenchRam } from './guest.js';
import { measureDirtyLog, measureDoorbells } from './hypervisor-paths.js';
import { measureLatencies } from './latency.js';
import { measureReaderLoops } from './loop-throughput.js';
import { measureMemory } from './memory.js';
import { measureMicro } from './micro.js';
import { type BenchOptions, resolveBenchOptions } from './options.js';
import { benchPlan } from './plan.js';
import { measureRender } from './render.js';
import type {
  BenchDirtyLogRow,
  BenchDoorbellRow,
  BenchLatencyRow,
  BenchReport,
  BenchStrategyRow,
} from './report-types.js';
import {
  formatDirtyLog,
  formatDoorbells,
  formatLatency,
  formatMemory,
  formatMicro,
  formatRender,
  formatStrategies,
  formatTargets,
  READER_LOOP_TITLE,
} from './table.js';
import { checkTargets } from './targets.js';
import { measureThroughput } from './throughput.js';

export { formatBenchReport } from './table.js';

/** Runs every bench section and returns the report (SPEC 9 keys plus extras). */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const o = resolveBenchOptions(options);
  const plan = benchPlan(o);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const sectionSeconds: Record<string, number> = {};
  let sectionStart = performance.now();
  const endSection = (name: string) => {
    const now = performance.now();
    sectionSeconds[name] = Math.round((now - sectionStart) / 100) / 10;
    sectionStart = now;
  };
  const say = (text: string) => {
    if (!o.quiet) process.stderr.write(`${text}\n`);
  };
  say(
    `addrspace bench${o.quick ? ' --quick' : ''}: vCPUs ${o.vcpus.join(',')}, ` +
      `${plan.throughput.rounds} round(s) of ${plan.throughput.roundMs} ms per row, ` +
      `host load ${loadAtStart.join(' ')}`,
  );

  const strategies: BenchStrategyRow[] = await measureThroughput(plan.throughput, (row) => {
    if (row.lostVcpus !== undefined) {
      say(
        `warning: ${row.strategy} ${row.workload} churn ${row.churnPerSecond}: ${row.lostVcpus} vCPU thread(s) died; the row undercounts`,
      );
    }
    if (o.debug)
      say(
        `  ${row.strategy} ${row.vcpus} ${row.workload} ${row.churnPerSecond}: ${row.accessesPerSecond}`,
      );
  });
  endSection('throughput');
  say(formatStrategies(strategies));

  const readerLoop = await measureReaderLoops(plan.readerLoop);
  endSection('readerLoop');
  say(formatStrategies(readerLoop, READER_LOOP_TITLE));

  const latencyRam = new BenchRam(plan.throughput.ramBytes);
  let latency: BenchLatencyRow[];
  try {
    latency = await measureLatencies(plan.latency, latencyRam);
  } finally {
    latencyRam.release();
  }
  endSection('latency');
  say(formatLatency(latency));

  const micro = await measureMicro(plan.micro);
  endSection('micro');
  say(formatMicro(micro));

  const render = measureRender([...plan.renderRegions], 'grouped', { published: true });
  endSection('render');
  say(formatRender(render));

  const memory = measureMemory(plan.memory);
  endSection('memory');
  say(formatMemory(memory));

  const pathsRam = new BenchRam(plan.throughput.ramBytes);
  let doorbells: BenchDoorbellRow[];
  let dirtyLog: BenchDirtyLogRow[];
  try {
    doorbells = await measureDoorbells(plan.hypervisorPaths, pathsRam);
    say(formatDoorbells(doorbells));
    dirtyLog = await measureDirtyLog(plan.hypervisorPaths, pathsRam);
    say(formatDirtyLog(dirtyLog));
  } finally {
    pathsRam.release();
  }
  endSection('hypervisorPaths');

  const targets = checkTargets({ strategies, readerLoop, latency, render, micro });
  say(formatTargets(targets));

  return {
    version: REPORT_VERSION,
    quick: o.quick,
    startedAt,
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    roundSeconds: plan.throughput.roundMs / 1000,
    rounds: plan.throughput.rounds,
    environment: environmentInfo(),
    hostLoad: { start: loadAtStart, end: loadavg().map((l) => Math.round(l * 100) / 100) },
    sectionSeconds,
    strategies,
    render,
    latency,
    readerLoop,
    micro,
    memory,
    doorbells,
    dirtyLog,
    targets,
  };
}
