/**
 * The owner's side of every scenario of the suite: an address space published under the
 * strategy under test (its publishes also stored in the shared `kPublished` word, after
 * they returned), and reader threads running workers/check-reader.js from the built
 * package, with their start, stop and results.
 *
 * It builds and tears down; it judges nothing (the scenarios do).
 */
import { Worker } from 'node:worker_threads';
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import type { PublisherOptions } from '../concurrent/publication/publisher-options.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';
import {
  type CheckLoop,
  type CheckReaderData,
  type CheckReaderResult,
  kOnline,
  kPublished,
  kStop,
  SHARED_WORDS,
} from './check-protocol.js';

const WORKER = new URL('../../workers/check-reader.js', import.meta.url);
/** How long reader threads may take to start (a loaded machine starts workers slowly). */
const START_TIMEOUT_MS = 20_000;
/** Accesses within which a reader adopts a published generation (SPEC 7: at most 1024). */
export const ADOPT_BOUND = 1024;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets the event loop run (grace periods, exits) between owner steps. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A deterministic xorshift32 in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export interface ReaderSpec {
  readonly loop: CheckLoop;
  readonly span: number;
  readonly gpa?: number;
  readonly mmio?: SharedArrayBuffer;
  readonly stallMs?: number;
  readonly stallEveryMs?: number;
}

/** A reader thread of the suite. */
export class CheckReaderThread {
  readonly worker: Worker;
  readonly readerIndex: number;
  readonly done: Promise<CheckReaderResult>;

  constructor(data: CheckReaderData) {
    this.readerIndex = data.handle.readerIndex;
    this.worker = new Worker(WORKER, { workerData: data });
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { kind: string; result: CheckReaderResult }) => {
        if (m.kind === 'done') resolve(m.result);
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`reader thread exited with ${code}`)));
    });
    // A thread the scenario terminates never delivers its result.
    this.done.catch(() => undefined);
  }
}

/** An address space under the strategy under test, with its reader threads. */
export class Scene {
  readonly as: AddressSpace;
  readonly publisher: SharedViewPublisher;
  readonly shared = new Int32Array(new SharedArrayBuffer(SHARED_WORDS * 4));
  readonly threads: CheckReaderThread[] = [];
  private seed: number;

  constructor(root: Region, strategy: Strategy, seed: number, options: PublisherOptions = {}) {
    this.seed = seed;
    this.as = new AddressSpace(root, 'memory');
    const publisher = new SharedViewPublisher({ maxReaders: 8, ...options, strategy });
    this.publisher = publisher;
    publisher.publish(this.as.flatView);
    Atomics.store(this.shared, kPublished, this.as.flatView.generation);
    const shared = this.shared;
    this.as.attachPublisher({
      publish(view, previous) {
        publisher.publish(view, previous);
        Atomics.store(shared, kPublished, view.generation);
      },
      synchronize: () => publisher.synchronize(),
      callRcu: (fn) => publisher.callRcu(fn),
    });
  }

  /** Starts one reader thread per spec and waits until all are online. */
  async start(specs: readonly ReaderSpec[]): Promise<CheckReaderThread[]> {
    const started = specs.map((spec) => {
      const thread = new CheckReaderThread({
        ...spec,
        handle: this.publisher.readerHandle(this.publisher.allocateReader()),
        shared: this.shared.buffer as SharedArrayBuffer,
        seed: this.seed++,
        adoptBound: ADOPT_BOUND,
      });
      this.threads.push(thread);
      return thread;
    });
    const target = Atomics.load(this.shared, kOnline) + specs.length;
    const since = performance.now();
    while (Atomics.load(this.shared, kOnline) < target) {
      const failed = await Promise.race([
        ...started.map((t) =>
          t.done.then(
            () => undefined,
            (e: Error) => e,
          ),
        ),
        sleep(2).then(() => undefined),
      ]);
      if (failed !== undefined) throw failed;
      if (performance.now() - since > START_TIMEOUT_MS) {
        throw new Error('reader threads did not come online within 20 s');
      }
    }
    return started;
  }

  /** Stops every loop and collects the results of the threads still alive. */
  async finish(threads = this.threads): Promise<CheckReaderResult[]> {
    Atomics.store(this.shared, kStop, 1);
    return Promise.all(threads.map((t) => t.done));
  }

  /** Terminates every thread and closes the publisher. */
  async close(): Promise<void> {
    Atomics.store(this.shared, kStop, 1);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.publisher.close();
  }
}

/** Sums one field over reader results. */
export function total(results: readonly CheckReaderResult[], key: keyof CheckReaderResult): number {
  return results.reduce((n, r) => n + (r[key] as number), 0);
}

/** The first non-empty string of one field over reader results. */
export function first(results: readonly CheckReaderResult[], key: keyof CheckReaderResult): string {
  for (const r of results) if (r[key] !== '') return r[key] as string;
  return '';
}
