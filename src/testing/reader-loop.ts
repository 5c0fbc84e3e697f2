/**
 * The reader side of the conformance suite: what one reader thread of `checkStrategy`
 * does (workers/check-reader.ts is its thin entry). It attaches a `SharedView` from the
 * handle it was given, goes online and runs one loop of check-protocol.ts until the owner
 * stores `kStop`, then goes offline and returns what it saw.
 *
 * It judges what a reader alone can judge (a poison word read through the adopted view, a
 * generation going backwards or adopted too late, a device answer that is not the
 * resolved region's); samples that need the owner's history go back in the result.
 * It imports the reader room and the strategies only, as a package user's worker would.
 */
import { isAddressSpaceError } from '../base/errors.js';
import { POISON_U32 } from '../concurrent/reader/poison.js';
import { TableRegionType } from '../concurrent/reader/reader-api.js';
import { Translation } from '../concurrent/reader/translation.js';
import { SharedView } from '../concurrent/strategies/shared-view.js';
import {
  type CheckReaderData,
  type CheckReaderResult,
  deviceTag,
  kMmioAnswered,
  kMmioClosed,
  kMmioIdle,
  kMmioOffset,
  kMmioOk,
  kMmioRegion,
  kMmioRequest,
  kMmioState,
  kMmioValue,
  kOnline,
  kPublished,
  kStop,
} from './check-protocol.js';

/** How long a reader waits for the owner to serve one exit before failing it (ms). */
const EXIT_TIMEOUT_MS = 10_000;
const SAMPLE_LIMIT = 40_000;

class Xorshift {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s;
    return (s >>> 0) / 2 ** 32;
  }
}

/** Runs the loop `data.loop` to its end and returns what it saw. */
export function runCheckReader(data: CheckReaderData): CheckReaderResult {
  const shared = new Int32Array(data.shared);
  const reader = SharedView.attach(data.handle);
  const random = new Xorshift(data.seed);
  const out = new Translation();
  const samples: number[] = [];
  const word = new Uint8Array(4);
  const wordView = new DataView(word.buffer);
  let accesses = 0;
  let faults = 0;
  const faultMessages: string[] = [];
  let generations = 0;
  let lastGeneration = -1;
  let stale = 0;
  let firstStale = '';
  let backwards = 0;
  let poisonReads = 0;
  let firstPoison = '';
  let wrongRegion = 0;
  let failedExits = 0;
  let firstMmioProblem = '';
  let stalls = 0;
  // Adoption bound: the newest generation published (`kPublished`) and when it was first seen.
  let published = -1;
  let publishedSeenAt = 0;
  let nextStallMs = performance.now() + (data.stallEveryMs ?? 0);

  if (data.mmio !== undefined) {
    const chan = new Int32Array(data.mmio);
    reader.setMmioHandler((regionId, _regionBase, offset, bytes) => {
      chan[kMmioRegion] = regionId;
      chan[kMmioOffset] = offset;
      Atomics.store(chan, kMmioState, kMmioRequest);
      Atomics.notify(chan, kMmioState);
      const waited = Atomics.wait(chan, kMmioState, kMmioRequest, EXIT_TIMEOUT_MS);
      const state = Atomics.load(chan, kMmioState);
      if (waited === 'timed-out' || state !== kMmioAnswered) {
        if (state !== kMmioClosed) Atomics.store(chan, kMmioState, kMmioIdle);
        return false;
      }
      const ok = chan[kMmioOk] === 1;
      new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(
        0,
        chan[kMmioValue]! >>> 0,
        true,
      );
      Atomics.store(chan, kMmioState, kMmioIdle);
      if (ok && chan[kMmioValue]! >>> 0 !== deviceTag(regionId)) {
        wrongRegion++;
        if (firstMmioProblem === '') {
          firstMmioProblem = `region ${regionId} resolved, answered with 0x${(chan[kMmioValue]! >>> 0).toString(16)}`;
        }
      }
      return ok;
    });
  }

  const goOnline = (): void => {
    for (;;) {
      try {
        reader.online();
        return;
      } catch (e) {
        if (!isAddressSpaceError(e) || e.code !== 'ReaderFault') throw e;
        faults++;
      }
    }
  };
  goOnline();
  Atomics.add(shared, kOnline, 1);

  const noteGeneration = (g: number, what: string): void => {
    if (g !== lastGeneration) {
      if (g < lastGeneration) backwards++;
      lastGeneration = g;
      generations++;
    }
    if (g < published && accesses - publishedSeenAt > data.adoptBound) {
      stale++;
      if (firstStale === '') {
        firstStale = `${what} used generation ${g} ${accesses - publishedSeenAt} accesses after generation ${published} was published`;
      }
    }
  };
  const notePoison = (gpa: number, how: string): void => {
    poisonReads++;
    if (firstPoison === '') {
      firstPoison = `poison read at 0x${gpa.toString(16)} ${how} through generation ${reader.generation}`;
    }
  };

  while (Atomics.load(shared, kStop) === 0) {
    for (let k = 0; k < 256; k++) {
      const gpa = Math.floor(random.next() * data.span) & ~3;
      const now = Atomics.load(shared, kPublished);
      if (now !== published) {
        published = now;
        publishedSeenAt = accesses;
      }
      accesses++;
      try {
        switch (data.loop) {
          case 'translate':
            reader.translate(gpa, out);
            noteGeneration(out.generation, 'a translation');
            if ((accesses & 7) === 0 && samples.length < SAMPLE_LIMIT * 4) {
              samples.push(out.generation, gpa, out.regionId, out.hostAddress);
            }
            break;
          case 'poison':
          case 'stall': {
            if (!reader.translate(gpa, out) || out.regionType !== TableRegionType.Ram) break;
            if (data.loop === 'stall' && performance.now() >= nextStallMs) {
              reader.stallNextRead(data.stallMs ?? 0);
              stalls++;
              reader.read(gpa, word);
              nextStallMs = performance.now() + (data.stallEveryMs ?? 0);
              if (wordView.getUint32(0, true) === POISON_U32) notePoison(gpa, 'after a stall');
              break;
            }
            const value = reader.readU32(gpa);
            if (value === POISON_U32) notePoison(gpa, 'by readU32');
            else reader.writeU32(gpa, value);
            noteGeneration(reader.generation, 'an access');
            break;
          }
          case 'spin':
            reader.readU8(gpa % 4096);
            break;
          case 'mmio':
            reader.readU32(data.gpa ?? 0);
            break;
        }
      } catch (e) {
        if (!isAddressSpaceError(e)) throw e;
        if (e.code === 'ReaderFault') {
          faults++;
          if (faultMessages.length < 3) faultMessages.push(e.message);
          goOnline();
        } else if (e.code === 'IoAccess' && data.loop === 'mmio') {
          failedExits++;
          if (firstMmioProblem === '') firstMmioProblem = e.message;
        }
      }
    }
  }
  reader.offline();
  reader.close();
  return {
    accesses,
    faults,
    faultMessages,
    samples: Float64Array.from(samples),
    generations,
    stale,
    firstStale,
    backwards,
    poisonReads,
    firstPoison,
    exits: reader.mmioExits,
    wrongRegion,
    failedExits,
    firstMmioProblem,
    stalls,
  };
}
