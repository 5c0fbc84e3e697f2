/**
 * Runs a list of single-thread tasks with tinybench and turns each into a report row per
 * operation. A task's function runs a loop of `reps` operations, so the timer's own cost
 * (tens of ns per sample) does not swamp operations of a few ns; mean, p50 and p99 are
 * divided by `reps`. ops/s is taken from the median sample: on a host shared with other
 * work, the mean carries every time the thread was descheduled, the median hardly any. Used on the owner thread (micro.ts) and in reader workers (reader-micro.ts).
 * It times what it is given and builds nothing itself.
 */
import { Bench } from 'tinybench';
import type { BenchMicroRow } from './report-types.js';
import { significant } from './timing.js';

/** Where tasks leave their results, so the JIT cannot drop the work as unused. */
export const blackhole = { value: 0 };

export interface MicroTask {
  readonly name: string;
  readonly group: string;
  /** Operations one call performs. */
  readonly reps: number;
  readonly fn: () => void;
}

export interface TinybenchTiming {
  /** tinybench time budget per task, ms. */
  readonly taskMs: number;
  readonly warmupMs: number;
}

export async function runTasks(
  tasks: readonly MicroTask[],
  timing: TinybenchTiming,
): Promise<BenchMicroRow[]> {
  const bench = new Bench({ time: timing.taskMs, warmupTime: timing.warmupMs, throws: true });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  return tasks.map((t, i) => {
    const result = bench.tasks[i]!.result;
    if (result.state !== 'completed') throw new Error(`micro bench ${t.name}: ${result.state}`);
    const perOpNs = (ms: number) => (ms * 1e6) / t.reps;
    const p50Ns = perOpNs(result.latency.p50);
    return {
      name: t.name,
      group: t.group,
      opsPerSecond: significant(1e9 / p50Ns),
      meanNs: significant(perOpNs(result.latency.mean)),
      p50Ns: significant(p50Ns),
      p99Ns: significant(perOpNs(result.latency.p99)),
      samples: result.latency.samplesCount,
    };
  });
}
