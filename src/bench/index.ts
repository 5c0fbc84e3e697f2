/**
 * `runBench(options)`: the benchmarks behind `addrspace bench` / `npm run bench` (SPEC 9).
 *
 * Sections, in order: multi-vCPU throughput (throughput.ts), bare reader loops
 * (loop-throughput.ts), latencies while vCPUs run
 * (latency.ts), single-thread paths with tinybench (micro.ts), render cost
 * (render.ts), resident memory of a lazily committed guest (memory.ts), doorbells with
 * and without hyp_ioevtfd and dirty logging off and on (hypervisor-paths.ts), a reader
 * stalled inside an access (stalled-reader.ts), then the issue's
 * targets judged on this run's numbers (targets.ts). `sections` picks some of them; the
 * others report no rows. What each section runs and for how
 * long is in plan.ts. `onProgress` hears of every measured row and section (the CLI draws
 * a progress line from it); `signal` stops it early, with the rows measured so far and
 * `interrupted: true`. The returned report is plain JSON data, and `formatBenchReport`
 * (table.ts) prints all of it.
 *
 * It measures and reports; it never prints and never writes files (the CLI writes
 * `--json` and `--html`).
 */
import { loadavg } from 'node:os';
import { formatCount } from '../sim/html/format.js';
import { environmentInfo } from '../sim/report-environment.js';
import { REPORT_VERSION } from '../sim/report-types.js';
import { BenchRam } from './guest.js';
import { measureDirtyLog, measureDoorbells } from './hypervisor-paths.js';
import { measureLatencies } from './latency.js';
import { measureReaderLoops } from './loop-throughput.js';
import { measureMemory } from './memory.js';
import { measureMicro } from './micro.js';
import { type BenchOptions, type BenchSection, resolveBenchOptions } from './options.js';
import { benchPlan } from './plan.js';
import { measureRender } from './render.js';
import type {
  BenchDirtyLogRow,
  BenchDoorbellRow,
  BenchLatencyRow,
  BenchReport,
  BenchStalledReaderRow,
  BenchStrategyRow,
} from './report-types.js';
import { measureStalledReader } from './stalled-reader.js';
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
  const tell = (section: string, detail: string, warning?: string) =>
    o.onProgress?.({
      elapsedSeconds: (performance.now() - started) / 1000,
      section,
      detail,
      ...(warning === undefined ? {} : { warning }),
    });
  const endSection = (name: string, detail: string) => {
    const now = performance.now();
    sectionSeconds[name] = Math.round((now - sectionStart) / 100) / 10;
    sectionStart = now;
    tell(name, detail);
  };
  /** Sections run in order until Ctrl-C; a skipped one reports no rows. */
  const stopped = () => o.signal?.aborted === true;
  const want = (section: BenchSection) => !stopped() && o.sections.includes(section);
  tell(
    'throughput',
    `vCPUs ${o.vcpus.join(',')}, ${plan.throughput.rounds} round(s) of ${plan.throughput.roundMs} ms per row, host load ${loadAtStart.join(' ')}`,
  );

  let strategies: BenchStrategyRow[] = [];
  if (want('throughput')) {
    strategies = await measureThroughput(plan.throughput, (row) => {
      const what = `${row.strategy} ${row.vcpus} vCPU${row.vcpus === 1 ? '' : 's'} ${row.workload} churn ${row.churnPerSecond}/s`;
      tell(
        'throughput',
        `${what}: ${formatCount(row.accessesPerSecond)} acc/s`,
        row.lostVcpus === undefined
          ? undefined
          : `${what}: ${row.lostVcpus} vCPU thread(s) died; the row undercounts`,
      );
    });
    endSection('throughput', `${strategies.length} rows`);
  }

  let readerLoop: BenchStrategyRow[] = [];
  if (want('readerLoop')) {
    readerLoop = await measureReaderLoops(plan.readerLoop);
    endSection('readerLoop', `${readerLoop.length} rows`);
  }

  let latency: BenchLatencyRow[] = [];
  if (want('latency')) {
    const latencyRam = new BenchRam(plan.throughput.ramBytes);
    try {
      latency = await measureLatencies(plan.latency, latencyRam);
    } finally {
      latencyRam.release();
    }
    endSection('latency', `${latency.length} rows`);
  }

  const micro = want('micro') ? await measureMicro(plan.micro) : [];
  if (want('micro')) endSection('micro', `${micro.length} rows`);

  const render = want('render')
    ? measureRender([...plan.renderRegions], 'grouped', { published: true })
    : [];
  if (want('render')) endSection('render', `${render.length} rows`);

  const memory = want('memory') ? measureMemory(plan.memory) : [];
  if (want('memory')) endSection('memory', `${memory.length} rows`);

  let doorbells: BenchDoorbellRow[] = [];
  let dirtyLog: BenchDirtyLogRow[] = [];
  if (want('hypervisorPaths')) {
    const pathsRam = new BenchRam(plan.throughput.ramBytes);
    try {
      doorbells = await measureDoorbells(plan.hypervisorPaths, pathsRam);
      if (!stopped()) dirtyLog = await measureDirtyLog(plan.hypervisorPaths, pathsRam);
    } finally {
      pathsRam.release();
    }
    endSection('hypervisorPaths', `${doorbells.length + dirtyLog.length} rows`);
  }

  let stalledReader: BenchStalledReaderRow[] = [];
  if (want('stalledReader')) {
    stalledReader = await measureStalledReader(plan.stalledReader);
    endSection('stalledReader', `${stalledReader.length} rows`);
  }

  const targets = checkTargets({ strategies, readerLoop, latency, render, micro });

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
    stalledReader,
    targets,
    ...(stopped() ? { interrupted: true } : {}),
  };
}
