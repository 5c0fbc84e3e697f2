/**
 * Worker entry point for the publication tests (test/concurrent/publication/*.test.ts):
 * attaches a `SharedView` from the handle in `workerData`, goes online, runs one reader
 * loop until the test stores 1 in `stop[0]`, goes offline and posts its result. It
 * imports only the reader entry (src/reader.ts), as a package user's worker would.
 *
 * Loops:
 * - `translate`: random translations over `[0, span)`; every 16th is kept as a sample
 *   `(generation, gpa, regionId, hostAddress)` for the owner's history to check.
 * - `poison`: random u32 reads and write-backs over `[0, span)`; a read that returns the
 *   poison word through the adopted view is recorded as a violation `(generation, gpa)`.
 * - `spin`: reads forever (the test terminates the worker).
 * - `doorbell`: `count` u32 writes at `gpa`, counting MMIO exits (ioeventfds need none).
 * - `pages`: sweeps the pages of `[0, span)` over and over, writing the sweep number
 *   (1, 2, ...) as a u32 at byte 4 of each page (dirty-logging tests); a quiescent point
 *   every 64 writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  isAddressSpaceError,
  POISON_U32,
  type ReaderHandle,
  SharedView,
  TableRegionType,
  Translation,
} from '../../src/reader.js';

export interface TestReaderData {
  readonly handle: ReaderHandle;
  readonly loop: 'translate' | 'poison' | 'spin' | 'doorbell' | 'pages';
  readonly stop: SharedArrayBuffer;
  readonly span: number;
  readonly seed: number;
  readonly maxSamples?: number;
  readonly gpa?: number;
  readonly count?: number;
}

export interface TestReaderResult {
  readonly accesses: number;
  readonly faults: number;
  /** The first few fault messages, for diagnosis. */
  readonly faultMessages: string[];
  readonly samples: Float64Array;
  readonly violations: Float64Array;
  readonly exits: number;
  readonly generations: number;
}

const data = workerData as TestReaderData;
const stop = new Int32Array(data.stop);
const reader = SharedView.attach(data.handle);
let exits = 0;
reader.setMmioHandler(() => {
  exits += 1;
  return true;
});

let state = data.seed >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
}

const samples: number[] = [];
const violations: number[] = [];
const maxSamples = data.maxSamples ?? 20_000;
let accesses = 0;
let faults = 0;
const faultMessages: string[] = [];
let generations = 0;
let lastGeneration = -1;

reader.online();
parentPort?.postMessage({ kind: 'online' });

const out = new Translation();
if (data.loop === 'pages') {
  const pages = Math.floor(data.span / 4096);
  for (let sweep = 1; Atomics.load(stop, 0) === 0; sweep++) {
    for (let p = 0; p < pages; p++) {
      reader.writeU32(p * 4096 + 4, sweep);
      accesses += 1;
      if ((accesses & 63) === 0) reader.quiescent();
    }
    generations = sweep;
  }
}
while (Atomics.load(stop, 0) === 0) {
  for (let k = 0; k < 256; k++) {
    const gpa = Math.floor(random() * data.span) & ~3;
    accesses += 1;
    try {
      if (data.loop === 'translate') {
        reader.translate(gpa, out);
        if ((accesses & 15) === 0 && samples.length < maxSamples * 4) {
          samples.push(out.generation, gpa, out.regionId, out.hostAddress);
        }
        if (out.generation !== lastGeneration) {
          lastGeneration = out.generation;
          generations += 1;
        }
      } else if (data.loop === 'poison') {
        // Translate first: unmapped addresses are common in a hotplug storm, and throwing
        // RegionNotFound for each would cost more than the accesses.
        if (!reader.translate(gpa, out) || out.regionType !== TableRegionType.Ram) continue;
        const value = reader.readU32(gpa);
        if (value === POISON_U32) violations.push(reader.generation, gpa);
        else reader.writeU32(gpa, value);
      } else if (data.loop === 'spin') {
        reader.readU8(gpa);
      } else {
        if (accesses > (data.count ?? 0)) Atomics.store(stop, 0, 1);
        else reader.writeU32(data.gpa ?? 0, 1);
      }
    } catch (e) {
      if (!isAddressSpaceError(e)) throw e;
      if (e.code === 'ReaderFault') {
        faults += 1;
        if (faultMessages.length < 3) faultMessages.push(e.message);
        reader.online();
      }
    }
  }
}
reader.offline();
reader.close();
const result: TestReaderResult = {
  accesses,
  faults,
  faultMessages,
  samples: Float64Array.from(samples),
  violations: Float64Array.from(violations),
  exits,
  generations,
};
parentPort?.postMessage({ kind: 'done', result });
