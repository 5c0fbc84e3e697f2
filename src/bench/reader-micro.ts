/**
 * Micro benchmarks of a `SharedView` reader, each strategy in a thread of its own.
 *
 * Why a thread: the strategies share their base class's access methods, so timing four
 * reader classes in one isolate makes those call sites polymorphic and slower than they
 * are in a vCPU thread, which only ever sees one class. So the owner builds a job list
 * per strategy (reader handles, the operation, the addresses), and a worker
 * (workers/bench-reader.ts) attaches the readers, goes online and times the jobs with
 * tinybench (`runReaderJobs`). It measures readers only; the owner keeps the views
 * still while it runs.
 */
import { Worker } from 'node:worker_threads';
import type { ReaderHandle } from '../concurrent/reader/reader-api.js';
import { Translation } from '../concurrent/reader/translation.js';
import { SharedView } from '../concurrent/strategies/shared-view.js';
import type { BenchMicroRow } from './report-types.js';
import { blackhole, type MicroTask, runTasks, type TinybenchTiming } from './tinybench-run.js';

/** One timed reader operation, repeated over `gpas` (one call = `gpas.length` operations). */
export interface ReaderJob {
  readonly name: string;
  readonly group: string;
  readonly handle: ReaderHandle;
  /** `read`: readU32; `translate`: translate into a Translation; `write`: writeU32. */
  readonly op: 'read' | 'translate' | 'write';
  readonly gpas: Float64Array;
}

export interface ReaderWorkerData {
  readonly jobs: readonly ReaderJob[];
  readonly timing: TinybenchTiming;
}

/** In the worker: attaches every job's reader, times the jobs, detaches. */
export async function runReaderJobs(data: ReaderWorkerData): Promise<BenchMicroRow[]> {
  const readers = data.jobs.map((job) => SharedView.attach(job.handle));
  for (const reader of readers) reader.online();
  try {
    const tasks: MicroTask[] = data.jobs.map((job, i) => {
      const reader = readers[i]!;
      const gpas = job.gpas;
      const n = gpas.length;
      const out = new Translation();
      const fn =
        job.op === 'read'
          ? () => {
              let s = 0;
              for (let k = 0; k < n; k++) s += reader.readU32(gpas[k]!);
              blackhole.value ^= s;
            }
          : job.op === 'translate'
            ? () => {
                let s = 0;
                for (let k = 0; k < n; k++) {
                  reader.translate(gpas[k]!, out);
                  s += out.regionId;
                }
                blackhole.value ^= s;
              }
            : () => {
                for (let k = 0; k < n; k++) reader.writeU32(gpas[k]!, k);
              };
      return { name: job.name, group: job.group, reps: n, fn };
    });
    return await runTasks(tasks, data.timing);
  } finally {
    for (const reader of readers) {
      reader.offline();
      reader.close();
    }
  }
}

const WORKER = new URL('../../workers/bench-reader.js', import.meta.url);

/** On the owner: runs `jobs` in a fresh worker thread and returns its rows. */
export function runReaderJobsInWorker(data: ReaderWorkerData): Promise<BenchMicroRow[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: data });
    let rows: BenchMicroRow[] | undefined;
    worker.once('message', (m: BenchMicroRow[]) => {
      rows = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (rows !== undefined) resolve(rows);
      else reject(new Error(`bench reader worker exited with code ${code} before its result`));
    });
  });
}
