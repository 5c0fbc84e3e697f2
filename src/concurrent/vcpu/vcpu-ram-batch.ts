/**
 * The fused batch of a vCPU slice: for the RAM workloads whose stream `AccessGenerator`
 * can lend out (`openRamRun`: `seq`, and `random` and `hot` under 2**32 slots, 4-byte
 * accesses; the slice leaves `random` to blocks, whose addresses known ahead let cache
 * misses overlap), and a slice with no self-checking and no stall, each access is
 * generated and performed in the same loop iteration, instead of being written into an
 * `AccessBlock` by one loop and read back by another. Two loops: a lean int32 sweep (no
 * samples, no poison check: the bench's seq rows), and one for any stream that also takes
 * the translation samples and the poison check (`run`'s check mode) as `performBatch` does.
 *
 * Why: a block costs a store and a load of every field per access, and the read-or-write
 * branch (random, a quarter of the accesses are writes by default) is taken twice, once
 * per loop, each time mispredicted as often; together that cost more than a cached
 * translated access does, and hid the strategies' differences (issue 10).
 *
 * What it does per access is what `performBatch`'s 4-byte path does: a real `readU32` or
 * `writeU32` through the vCPU's reader (translate plus guest-memory access, the strategy's
 * protocol each time), counted the same way: an `AddressSpaceError` is counted and the
 * batch goes on, a `ReaderFault` ends it (`readerFault`; the faulting access is not
 * counted but is consumed from the stream, as `performBatch` does), an MMIO exit ends it
 * after that access. The xoshiro128** steps are written out on locals, in the order
 * `Prng.nextFloat` / `nextUint32` / `below` draw them, so the stream is the seed's stream
 * (`fillRam` draws the same; the stream tests compare all three ways). Only the counters
 * that can change per access live in locals; the ioeventfd signals are the reader's own
 * counter's growth over the batch (only writes signal). Nothing allocates per access.
 */
import type { SharedViewReader } from '../reader/reader-api.js';
import type { MmioMailboxClient } from './mmio-mailbox.js';
import { gpaOfSlot, type RamStream } from './ram-fill.js';
import type { RawGuestMemory } from './raw-memory.js';
import { SampleKind, type SampleRing } from './sampler.js';
import { type BatchSettings, type BatchTally, countFault, recordSample } from './vcpu-batch.js';

const TWO_POW_32 = 2 ** 32;

/**
 * Generates and performs up to `count` accesses of `run` through `memory` (see the module
 * comment), adding what they did to `tally`, and leaves `run` at the first access not
 * generated. Returns the number of accesses consumed from the stream.
 */
export function performRamBatch(
  memory: SharedViewReader | RawGuestMemory,
  mailbox: MmioMailboxClient,
  samples: SampleRing,
  run: RamStream,
  count: number,
  settings: BatchSettings,
  tally: BatchTally,
): number {
  const exitsSeen = mailbox.exits;
  const signalsBefore = memory.ioeventfdSignals;
  outcome.reset();
  const checked = settings.sampleEvery > 0 || settings.poison >= 0;
  const consumed =
    run.sweep && run.int32Addresses && !checked
      ? sweepInt32(memory, mailbox, run, count, tally)
      : anyRam(memory, mailbox, samples, run, count, settings, tally);
  const accesses = outcome.readerFault ? consumed - 1 : consumed;
  const exited = mailbox.exits !== exitsSeen;
  tally.accesses += accesses;
  tally.reads += outcome.reads;
  tally.writes += outcome.writes;
  tally.signals += memory.ioeventfdSignals - signalsBefore;
  tally.ramAccesses += accesses - outcome.failed - (exited && !outcome.lastFailed ? 1 : 0);
  tally.sink ^= outcome.sink;
  tally.poisonReads += outcome.poisonReads;
  tally.samples += outcome.samples;
  return consumed;
}

/** What one loop did, beyond the accesses it consumed (read by `performRamBatch`). */
class LoopOutcome {
  reads = 0;
  writes = 0;
  /** Accesses that failed with an `AddressSpaceError` (counted in the tally's faults). */
  failed = 0;
  /** The last access failed so (an exit that then failed is no RAM access either). */
  lastFailed = false;
  /** The last consumed access hit a `ReaderFault` (not counted as an access). */
  readerFault = false;
  sink = 0;
  poisonReads = 0;
  samples = 0;

  reset(): void {
    this.reads = 0;
    this.writes = 0;
    this.failed = 0;
    this.lastFailed = false;
    this.readerFault = false;
    this.sink = 0;
    this.poisonReads = 0;
    this.samples = 0;
  }
}

const outcome = new LoopOutcome();

// The two loops below differ only in how they find the address: keep their access part,
// the xoshiro128** steps and the counting, the same.

/**
 * The sweep over ranges whose addresses all fit in an int32: address, cursor and range end
 * stay int32 locals (a float64 address costs the reader a conversion on every access).
 */
function sweepInt32(
  memory: SharedViewReader | RawGuestMemory,
  mailbox: MmioMailboxClient,
  run: RamStream,
  count: number,
  tally: BatchTally,
): number {
  const st = run.state;
  let s0 = st[0]! | 0;
  let s1 = st[1]! | 0;
  let s2 = st[2]! | 0;
  let s3 = st[3]! | 0;
  const size = run.accessSize | 0;
  const writeLimit = run.writeLimit | 0;
  const total = run.totalSlots | 0;
  const starts = run.rangeStarts;
  const firsts = run.rangeFirstSlot;
  let cursor = run.cursor | 0;
  let range = run.range | 0;
  let rangeEnd = firsts[range + 1]! | 0;
  let gpa = (starts[range]! + (cursor - firsts[range]!) * size) | 0;
  const exitsSeen = mailbox.exits;
  let consumed = 0;
  let reads = 0;
  let writes = 0;
  let failed = 0;
  let lastFailed = false;
  let sink = 0;
  let r = 0;
  let t = 0;
  while (consumed < count) {
    const at = gpa;
    cursor++;
    gpa += size;
    if (cursor === rangeEnd) {
      if (cursor === total) {
        cursor = 0;
        range = 0;
      } else {
        range++;
      }
      rangeEnd = firsts[range + 1]! | 0;
      gpa = starts[range]! | 0;
    }
    // The direction: nextFloat() < 1 - readRatio; a write's value: nextUint32().
    r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    consumed++;
    lastFailed = false;
    try {
      if ((r ^ 0x80000000) < writeLimit) {
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        memory.writeU32(at, r >>> 0);
        writes++;
      } else {
        sink ^= memory.readU32(at);
        reads++;
      }
    } catch (e) {
      if (countFault(e, tally)) {
        outcome.readerFault = true;
        break;
      }
      failed++;
      lastFailed = true;
    }
    if (mailbox.exits !== exitsSeen) break;
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  run.cursor = cursor;
  run.range = range;
  outcome.reads = reads;
  outcome.writes = writes;
  outcome.failed = failed;
  outcome.lastFailed = lastFailed;
  outcome.sink = sink;
  return consumed;
}

/**
 * Any RAM stream: the sweep over any addresses, uniform random slots, or hot pages; with the
 * translation samples (every `sampleEvery`th access, and every poison read) and the poison
 * check of `performBatch` when the settings ask for them.
 */
function anyRam(
  memory: SharedViewReader | RawGuestMemory,
  mailbox: MmioMailboxClient,
  samples: SampleRing,
  run: RamStream,
  count: number,
  settings: BatchSettings,
  tally: BatchTally,
): number {
  const sampleEvery = settings.sampleEvery;
  const poison = settings.poison;
  const checkPoison = poison >= 0;
  let untilSample = tally.untilSample;
  let poisonReads = 0;
  let sampleCount = 0;
  const st = run.state;
  let s0 = st[0]! | 0;
  let s1 = st[1]! | 0;
  let s2 = st[2]! | 0;
  let s3 = st[3]! | 0;
  const size = run.accessSize;
  const writeLimit = run.writeLimit | 0;
  const total = run.totalSlots;
  const starts = run.rangeStarts;
  const firsts = run.rangeFirstSlot;
  const sweep = run.sweep;
  const hot = run.hot;
  const hotFraction = run.hotFraction;
  const hotBase = run.hotBase;
  const hotSlots = run.hotSlots;
  const hotPages = hotBase.length;
  const oneRange = starts.length === 1;
  const firstStart = starts[0]!;
  let cursor = run.cursor;
  let range = run.range;
  let rangeEnd = firsts[range + 1]!;
  let seqGpa = starts[range]! + (cursor - firsts[range]!) * size;
  const exitsSeen = mailbox.exits;
  let consumed = 0;
  let reads = 0;
  let writes = 0;
  let failed = 0;
  let lastFailed = false;
  let sink = 0;
  let r = 0;
  let t = 0;
  while (consumed < count) {
    let gpa: number;
    if (sweep) {
      gpa = seqGpa;
      cursor++;
      seqGpa += size;
      if (cursor === rangeEnd) {
        if (cursor === total) {
          cursor = 0;
          range = 0;
        } else {
          range++;
        }
        rangeEnd = firsts[range + 1]!;
        seqGpa = starts[range]!;
      }
    } else {
      // random: below(total), floor(nextFloat() * total). hot: nextFloat() >= hotFraction
      // first; then below(total), or below(hot pages) and below(that page's slots).
      r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      let toHot = false;
      if (hot) {
        toHot = (r >>> 0) / TWO_POW_32 < hotFraction;
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
      }
      if (toHot) {
        const page = Math.floor(((r >>> 0) / TWO_POW_32) * hotPages);
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        gpa = hotBase[page]! + Math.floor(((r >>> 0) / TWO_POW_32) * hotSlots[page]!) * size;
      } else {
        const slot = Math.floor(((r >>> 0) / TWO_POW_32) * total);
        gpa = oneRange ? firstStart + slot * size : gpaOfSlot(starts, firsts, slot, size);
      }
    }
    // The direction: nextFloat() < 1 - readRatio; a write's value: nextUint32().
    r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    consumed++;
    lastFailed = false;
    let kind = SampleKind.Read;
    let generation = -1;
    try {
      if ((r ^ 0x80000000) < writeLimit) {
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        kind = SampleKind.Write;
        const signalsSeen = memory.ioeventfdSignals;
        let value = r >>> 0;
        // Guest RAM never holds the poison word by the workload's doing.
        if (value === poison) value ^= 1;
        memory.writeU32(gpa, value);
        writes++;
        if (memory.ioeventfdSignals !== signalsSeen) kind = SampleKind.Ioeventfd;
      } else {
        const value = memory.readU32(gpa);
        sink ^= value;
        reads++;
        if (checkPoison && value === poison && mailbox.exits === exitsSeen) {
          poisonReads++;
          kind = SampleKind.Poison;
          generation = memory.generation; // the view the read went through
        }
      }
      if (mailbox.exits !== exitsSeen) kind = SampleKind.MmioExit;
    } catch (e) {
      if (countFault(e, tally)) {
        outcome.readerFault = true;
        break;
      }
      failed++;
      lastFailed = true;
      kind = SampleKind.Fault;
    }
    // Every Nth access is sampled; every poison read is recorded.
    const periodic = sampleEvery > 0 && --untilSample === 0;
    if (periodic) untilSample = sampleEvery;
    if (periodic || kind === SampleKind.Poison) {
      if (recordSample(memory, samples, gpa, kind, generation)) sampleCount++;
    }
    if (mailbox.exits !== exitsSeen) break;
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  run.cursor = cursor;
  run.range = range;
  outcome.reads = reads;
  outcome.writes = writes;
  outcome.failed = failed;
  outcome.lastFailed = lastFailed;
  outcome.sink = sink;
  outcome.poisonReads = poisonReads;
  outcome.samples = sampleCount;
  tally.untilSample = untilSample;
  return consumed;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
