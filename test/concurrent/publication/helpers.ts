/**
 * Builders shared by the publication tests: flat views written as rows (core `FlatView`s
 * over fresh regions, so a test states its layout without building a region tree), and
 * reader worker threads running test/workers/test-reader.ts from dist/ (build first).
 *
 * The publisher takes the core's `FlatView` only; the adaptation from rows lives here.
 */
import { Worker } from 'node:worker_threads';
import { type FlatIoEventFd, type FlatRange, FlatView } from '../../../src/core/flat-view.js';
import { Region } from '../../../src/core/region.js';
import type { RegionOps } from '../../../src/core/types.js';
import type { EventFd } from '../../../src/host/event-fd.js';
import type { HostMemMapping } from '../../../src/host/mapping.js';
import type { TestReaderData, TestReaderResult } from '../../workers/test-reader.js';

/** Device ops that accept everything (the publication tests serve exits themselves). */
const acceptingOps: RegionOps = { read: () => true, write: () => true };

/** Size of the IO regions `ioRegion` builds: larger than any row a test writes. */
const IO_REGION_SIZE = 2 ** 32;

export function ramRegion(mapping: HostMemMapping, name = mapping.name): Region {
  return Region.initRamRegion(mapping, name);
}

/** A ROM device with romd on or off (its rows carry the mode, as the renderer's do). */
export function romRegion(mapping: HostMemMapping, romd: boolean, name = 'rom'): Region {
  const region = Region.initRomDeviceRegion(mapping, acceptingOps, name);
  region.setRomDeviceRomd(romd);
  return region;
}

export function ioRegion(name = 'io'): Region {
  return Region.initIoRegion(IO_REGION_SIZE, acceptingOps, name);
}

/** One row: `[base, size, owner, offsetInRegion]`. */
export type Row = readonly [number, number, Region, number?];

/**
 * A `FlatView` of generation `generation` holding `rows` as they are: through the trusted
 * constructor, not `fromRanges`, so that a test can hand the publisher a view its own
 * validation must refuse (unsorted rows).
 */
export function plainView(
  generation: number,
  rows: readonly Row[],
  ioeventfds: readonly FlatIoEventFd[] = [],
): FlatView {
  const ranges: FlatRange[] = rows.map(([base, size, owner, offset]) => ({
    addrRange: { base, size },
    owner,
    offsetInRegion: offset ?? 0,
    ...(owner.regionType === 'RomDevice' ? { romd: owner.getRomDeviceRomd() } : {}),
  }));
  return new FlatView(ranges, ioeventfds, generation);
}

/** The region a doorbell names as its owner: the publisher never looks at it. */
const doorbellOwner = Region.initIoRegion(IO_REGION_SIZE, acceptingOps, 'doorbells');

export function doorbell(base: number, size: number, fd: EventFd, data?: bigint): FlatIoEventFd {
  return {
    addrRange: { base, size },
    dataMatch: data !== undefined,
    data: data ?? 0n,
    fd,
    owner: doorbellOwner,
    regionBase: base,
  };
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
