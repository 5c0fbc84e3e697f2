/**
 * Loading the heavy layers the CLI commands drive — the simulation, the benchmarks and
 * the built-in `pc` machine — only when a command needs them, so `--help` and bad usage
 * answer at once. Each loader imports the module by its path relative to this file
 * (the same relative layout in src/ and dist/) and checks that the named export is a
 * function. A missing module becomes one readable error line. The signatures are those
 * of SPEC 9; this file adds no behaviour of its own.
 */
import type { Machine } from '../machine/machine.js';
import type { BenchOptions, RunOptions } from '../sim/options.js';
import type { BenchReport, RunReport } from '../sim/report-types.js';

export type RunSimulation = (options: RunOptions) => Promise<RunReport>;
export type RunBench = (options: BenchOptions) => Promise<BenchReport>;
export type BuildPcMachine = () => Machine;

/** `runSimulation` from src/sim/simulation.ts. */
export function loadRunSimulation(): Promise<RunSimulation> {
  return loadFunction<RunSimulation>('../sim/simulation.js', 'runSimulation', 'the simulation');
}

/** `runBench` from bench/index.ts (dist/bench/index.js next to dist/src/). */
export function loadRunBench(): Promise<RunBench> {
  return loadFunction<RunBench>('../../bench/index.js', 'runBench', 'the benchmarks');
}

/** `buildPcMachine` from src/machine/pc.ts. */
export function loadBuildPcMachine(): Promise<BuildPcMachine> {
  return loadFunction<BuildPcMachine>('../machine/pc.js', 'buildPcMachine', 'the pc machine');
}

async function loadFunction<F>(relative: string, name: string, what: string): Promise<F> {
  const url = new URL(relative, import.meta.url);
  let module: Record<string, unknown>;
  try {
    module = (await import(url.href)) as Record<string, unknown>;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (
      code === 'ERR_MODULE_NOT_FOUND' &&
      String((cause as Error).message).includes(url.pathname)
    ) {
      throw new Error(`${what} is not part of this build (${relative} is missing)`, { cause });
    }
    throw cause;
  }
  const fn = module[name];
  if (typeof fn !== 'function') {
    throw new Error(`${what} does not export ${name}() (${relative})`);
  }
  return fn as F;
}
