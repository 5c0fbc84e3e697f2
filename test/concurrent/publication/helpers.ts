/**
 * Builders shared by the publication tests: flat views as plain rows (FlatView-shaped
 * objects, so the table and reader can be tested without the core), and reader worker
 * threads running workers/test-reader.ts from dist/ (build first).
 */
import { Worker } from 'node:worker_threads';
import type {
  PublishedIoEventFd,
  PublishedRange,
  PublishedRegion,
  PublishedView,
} from '../../../src/concurrent/publication/table-writer.js';
import type { EventFd } from '../../../src/host/event-fd.js';
import type { HostMemMapping } from '../../../src/host/mapping.js';
import type { TestReaderData, TestReaderResult } from '../../workers/test-reader.js';

let nextRegionId = 10_000;

export function ramRegion(mapping: HostMemMapping, name = mapping.name): PublishedRegion {
  return { id: nextRegionId++, regionType: 'Ram', name, mapping };
}

export function romRegion(mapping: HostMemMapping, romd: boolean, name = 'rom'): PublishedRegion {
  return {
    id: nextRegionId++,
    regionType: 'RomDevice',
    name,
    mapping,
    getRomDeviceRomd: () => romd,
  };
}

export function ioRegion(name = 'io'): PublishedRegion {
  return { id: nextRegionId++, regionType: 'IO', name };
}

/** One row: `[base, size, owner, offsetInRegion]`. */
export type Row = readonly [number, number, PublishedRegion, number?];

export function plainView(
  generation: number,
  rows: readonly Row[],
  ioeventfds: readonly PublishedIoEventFd[] = [],
): PublishedView {
  const ranges: PublishedRange[] = rows.map(([base, size, owner, offset]) => ({
    addrRange: { base, size },
    owner,
    offsetInRegion: offset ?? 0,
  }));
  return { generation, ranges, ioeventfds };
}

export function doorbell(
  base: number,
  size: number,
  fd: EventFd,
  data?: bigint,
): PublishedIoEventFd {
  return { addrRange: { base, size }, dataMatch: data !== undefined, data: data ?? 0n, fd };
}

const WORKER_URL = new URL('../../../dist/test/workers/test-reader.js', import.meta.url);

/** A reader thread running one loop of workers/test-reader.ts. */
export class ReaderThread {
  readonly worker: Worker;
  readonly online: Promise<void>;
  readonly done: Promise<TestReaderResult>;
  readonly stop: SharedArrayBuffer;

  constructor(data: Omit<TestReaderData, 'stop'> & { stop?: SharedArrayBuffer }) {
    this.stop = data.stop ?? new SharedArrayBuffer(4);
    this.worker = new Worker(WORKER_URL, { workerData: { ...data, stop: this.stop } });
    let onOnline!: () => void;
    let onFailure!: (error: Error) => void;
    this.online = new Promise((resolve, reject) => {
      onOnline = resolve;
      onFailure = reject;
    });
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { kind: string; result?: TestReaderResult }) => {
        if (m.kind === 'online') onOnline();
        else if (m.kind === 'done') resolve(m.result!);
      });
      const fail = (error: Error) => {
        onFailure(error);
        reject(error);
      };
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`reader worker exited with ${code}`)));
    });
    // A test that terminates the worker never asks for its result.
    this.done.catch(() => undefined);
    this.online.catch(() => undefined);
  }

  /** Asks the loop to end and waits for its result. */
  async finish(): Promise<TestReaderResult> {
    Atomics.store(new Int32Array(this.stop), 0, 1);
    const result = await this.done;
    await this.worker.terminate();
    return result;
  }
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

export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
