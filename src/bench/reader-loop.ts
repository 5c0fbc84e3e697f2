/**
 * Bare reader loops: N threads each read their own part of RAM sequentially through a
 * reader of one strategy (or `raw`, the product's `RawGuestMemory`), as fast as they can,
 * while the owner churns BARs. No workload generator, no slice loop: what is left is the
 * strategy's cost per access (and, with several threads, what they cost each other).
 *
 * This is a diagnostic beside the throughput rows, which run the full vCPU path: there the
 * access generator and slice loop cost more per access than a cached translation does,
 * and dilute the strategies' differences. Here the ratios are those of the readers alone.
 *
 * Shared memory, written once (Int32 words of `control`):
 *
 * | word    | name      | written by | meaning                                            |
 * |---------|-----------|------------|----------------------------------------------------|
 * | 0       | kState    | owner      | kIdle, kRun or kExit                               |
 * | 1       | kReady    | workers    | workers online and waiting at the start barrier    |
 * | 2       | kGo       | owner      | round number the barrier releases                  |
 * | 3       | kParked   | workers    | workers back offline after a round                 |
 * | 4       | kAttached | workers    | workers that attached their reader                 |
 *
 * A reader must attach before the owner publishes anything its handle did not list (it
 * learns of later tables from the directory's channel, which it opens when attaching), so
 * the owner waits for every worker to attach (`attached()`) before it churns.
 * `counts` (Float64, one 64-byte line per worker) holds each worker's accesses so far,
 * stored every `QUIESCENT_EVERY` accesses by that worker only. A worker is offline while
 * idle, so no grace period waits for it between rounds.
 */
import { Worker } from 'node:worker_threads';
import type { ReaderHandle } from '../concurrent/reader/reader-api.js';
import { SharedView } from '../concurrent/strategies/shared-view.js';
import { RawGuestMemory, type RawMemoryHandle } from '../concurrent/vcpu/raw-memory.js';

export const kState = 0;
export const kReady = 1;
export const kGo = 2;
export const kParked = 3;
export const kAttached = 4;
const CONTROL_WORDS = 5;
export const kIdle = 0;
export const kRun = 1;
export const kExit = 2;
/** Float64 slots per worker in `counts`: one cache line, so counters do not share lines. */
export const COUNT_STRIDE = 8;
/** Accesses between quiescent points: the vCPU pool's default batch. */
export const QUIESCENT_EVERY = 256;

export interface LoopWorkerData {
  readonly index: number;
  readonly control: SharedArrayBuffer;
  readonly counts: SharedArrayBuffer;
  readonly memory:
    | { readonly kind: 'shared'; readonly handle: ReaderHandle }
    | { readonly kind: 'raw'; readonly handle: RawMemoryHandle };
  /** The part of RAM this worker sweeps, 4-byte reads. */
  readonly base: number;
  readonly size: number;
}

/** In the worker: waits for rounds, sweeps its part of RAM during each, until kExit. */
export function runLoopWorker(data: LoopWorkerData): void {
  const control = new Int32Array(data.control);
  const counts = new Float64Array(data.counts);
  const at = data.index * COUNT_STRIDE;
  const memory =
    data.memory.kind === 'raw'
      ? new RawGuestMemory(data.memory.handle)
      : SharedView.attach(data.memory.handle);
  Atomics.add(control, kAttached, 1);
  Atomics.notify(control, kAttached);
  const words = Math.floor(data.size / 4);
  let cursor = 0;
  let total = 0;
  let sink = 0;
  let round = 0;
  for (;;) {
    Atomics.wait(control, kState, kIdle);
    if (Atomics.load(control, kState) === kExit) break;
    round += 1;
    memory.online();
    Atomics.add(control, kReady, 1);
    while (Atomics.load(control, kGo) < round && Atomics.load(control, kState) === kRun) {
      // The start barrier: every worker is online before any starts reading.
    }
    while (Atomics.load(control, kState) === kRun) {
      for (let k = 0; k < QUIESCENT_EVERY; k++) {
        sink += memory.readU32(data.base + cursor * 4);
        cursor = cursor + 1 === words ? 0 : cursor + 1;
      }
      memory.quiescent();
      total += QUIESCENT_EVERY;
      counts[at] = total;
    }
    memory.offline();
    Atomics.add(control, kParked, 1);
  }
  counts[at + 1] = sink;
}

const WORKER = new URL('../../workers/bench-loop.js', import.meta.url);

/** The owner's side: a group of loop workers over one memory, run in rounds. */
export class LoopGroup {
  private readonly control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  private readonly words = new Int32Array(this.control);
  private readonly counts: Float64Array;
  private readonly workers: Worker[];
  private readonly exited: Promise<unknown>[];
  private failure: Error | undefined;
  private round = 0;

  /** One worker per part of RAM; `memoryOf(i)` is worker i's memory (its own reader slot). */
  constructor(
    memoryOf: (index: number) => LoopWorkerData['memory'],
    parts: readonly { base: number; size: number }[],
  ) {
    const counts = new SharedArrayBuffer(parts.length * COUNT_STRIDE * 8);
    this.counts = new Float64Array(counts);
    this.workers = parts.map((part, index) => {
      const data: LoopWorkerData = {
        index,
        control: this.control,
        counts,
        memory: memoryOf(index),
        ...part,
      };
      return new Worker(WORKER, { workerData: data });
    });
    for (const w of this.workers) {
      w.on('error', (error) => {
        this.failure ??= error;
      });
    }
    this.exited = this.workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
  }

  /** Resolves once every worker has attached its reader (before any churn may start). */
  attached(): Promise<void> {
    return this.until(() => Atomics.load(this.words, kAttached) === this.workers.length);
  }

  /** Accesses of all workers so far. */
  total(): number {
    let sum = 0;
    for (let i = 0; i < this.workers.length; i++) sum += this.counts[i * COUNT_STRIDE]!;
    return sum;
  }

  /** Starts a round: releases the workers once every one of them is online. */
  async start(): Promise<void> {
    this.round += 1;
    Atomics.store(this.words, kReady, 0);
    Atomics.store(this.words, kParked, 0);
    Atomics.store(this.words, kState, kRun);
    Atomics.notify(this.words, kState);
    await this.until(() => Atomics.load(this.words, kReady) === this.workers.length);
    Atomics.store(this.words, kGo, this.round);
  }

  /** Ends the round once every worker is offline again. */
  async stop(): Promise<void> {
    Atomics.store(this.words, kState, kIdle);
    await this.until(() => Atomics.load(this.words, kParked) === this.workers.length);
  }

  async destroy(): Promise<void> {
    Atomics.store(this.words, kState, kExit);
    Atomics.notify(this.words, kState);
    await Promise.all(this.exited);
  }

  /** Polls `done` on the owner's event loop; a worker's error or 30 s of waiting throws. */
  private async until(done: () => boolean): Promise<void> {
    const started = performance.now();
    while (!done()) {
      if (this.failure !== undefined) throw this.failure;
      if (performance.now() - started > 30_000) throw new Error('bench loop workers stalled');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}
