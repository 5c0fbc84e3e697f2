/**
 * One batch of a vCPU slice: performs generated accesses of an `AccessBlock` through the
 * vCPU's reader, from a given index until the block ends, an access exits to the owner
 * (MMIO: the batch ends there, a quiescent point), or the reader faults.
 *
 * Its own function so the engine optimizes it as a whole (not as an on-stack replacement
 * inside the slice), with the counters in locals and added to a `BatchTally` once per
 * batch. An `AddressSpaceError` from an access (the topology moved under the workload, a
 * device failed with `IoAccess`) is counted and the batch goes on; a `ReaderFault` ends it
 * with `readerFault` set. Nothing here allocates per access; it never calls `quiescent`,
 * publishes nothing and generates nothing (`vcpu-slice.ts` does).
 */
import type { SharedViewReader } from '../reader/reader-api.js';
import { Translation } from '../reader/translation.js';
import { ACCESS_WRITE, type AccessBlock, RAM_ACCESS } from './access-pattern.js';
import type { MmioMailboxClient } from './mmio-mailbox.js';
import type { RawGuestMemory } from './raw-memory.js';
import { pushTranslationSample, SampleKind, type SampleRing } from './sampler.js';
import type { VerifiedVcpu } from './verified-step.js';

/** What batches of one slice did, summed (the slice reads and resets it). */
export class BatchTally {
  accesses = 0;
  reads = 0;
  writes = 0;
  signals = 0;
  faults = 0;
  poisonReads = 0;
  ioAccessFaults = 0;
  notFoundFaults = 0;
  typeFaults = 0;
  samples = 0;
  /** Accesses that reached RAM (not an exit, not a fault). */
  ramAccesses = 0;
  /** Accesses until the next periodic sample (carried across batches and slices). */
  untilSample = 0;
  /** Set when an access hit a `ReaderFault`: the slice ends. */
  readerFault = false;
  /** The values the fused path read, folded (so no read is dead code to the compiler). */
  sink = 0;

  reset(untilSample: number): void {
    this.accesses = 0;
    this.reads = 0;
    this.writes = 0;
    this.signals = 0;
    this.faults = 0;
    this.poisonReads = 0;
    this.ioAccessFaults = 0;
    this.notFoundFaults = 0;
    this.typeFaults = 0;
    this.samples = 0;
    this.ramAccesses = 0;
    this.untilSample = untilSample;
    this.readerFault = false;
  }
}

/** How a slice's batches run (from its task). */
export interface BatchSettings {
  /** One translation sample every N accesses; 0 = off. */
  readonly sampleEvery: number;
  /** The poison word reads are checked against; -1 = no check. */
  readonly poison: number;
}

const scratch8 = new Uint8Array(8);
const scratch8View = new DataView(scratch8.buffer);
const translation = new Translation();

/**
 * Performs accesses `from`.. of `block` (see the module comment); returns the index of
 * the first access not performed (`block.length` when the batch ran to the end).
 */
export function performBatch(
  memory: SharedViewReader | RawGuestMemory,
  mailbox: MmioMailboxClient,
  samples: SampleRing,
  block: AccessBlock,
  from: number,
  settings: BatchSettings,
  tally: BatchTally,
  verified?: VerifiedVcpu,
): number {
  const { gpa: gpas, size: sizes, kind: kinds, target: targets, value: values } = block;
  const highs = block.valueHigh;
  const end = block.length;
  const sampleEvery = settings.sampleEvery;
  const poison = settings.poison;
  const checkPoison = poison >= 0;
  const exitsSeen = mailbox.exits;
  let untilSample = tally.untilSample;
  let accesses = 0;
  let reads = 0;
  let writes = 0;
  let signals = 0;
  let poisonReads = 0;
  let sampleCount = 0;
  let ramAccesses = 0;
  let next = from;
  // The common case, 4-byte RAM accesses with no samples, no poison check and no
  // self-checking, in a loop of its own: no size dispatch, no sample bookkeeping.
  const plain =
    block.uniformSize === 4 && sampleEvery === 0 && !checkPoison && verified === undefined;
  while (plain && next < end) {
    const i = next++;
    try {
      if (kinds[i] === ACCESS_WRITE) {
        const signalsSeen = memory.ioeventfdSignals;
        memory.writeU32(gpas[i]!, values[i]!);
        writes++;
        if (memory.ioeventfdSignals !== signalsSeen) signals++;
      } else {
        memory.readU32(gpas[i]!);
        reads++;
      }
      if (mailbox.exits === exitsSeen) ramAccesses++;
    } catch (e) {
      if (countFault(e, tally)) break;
    }
    accesses++;
    if (mailbox.exits !== exitsSeen) break;
  }
  while (!plain && next < end) {
    const i = next++;
    const gpa = gpas[i]!;
    const size = sizes[i]!;
    let kind = SampleKind.Read;
    let generation = -1;
    const isRam = targets[i] === RAM_ACCESS;
    try {
      const signalsBefore = verified === undefined ? 0 : memory.ioeventfdSignals;
      if (
        verified?.access(
          memory,
          gpa,
          size,
          kinds[i] === ACCESS_WRITE,
          values[i]!,
          highs[i]!,
          samples,
          isRam,
        )
      ) {
        if (kinds[i] !== ACCESS_WRITE) reads++;
        else {
          writes++;
          if (memory.ioeventfdSignals !== signalsBefore) {
            kind = SampleKind.Ioeventfd;
            signals++;
          }
        }
      } else if (kinds[i] === ACCESS_WRITE) {
        kind = SampleKind.Write;
        const signalsSeen = memory.ioeventfdSignals;
        let value = values[i]!;
        // Guest RAM never holds the poison word by the workload's doing.
        if (value === poison && isRam) value ^= 1;
        if (size === 4) memory.writeU32(gpa, value);
        else if (size === 1) memory.writeU8(gpa, value & 0xff);
        else if (size === 2) memory.writeU16(gpa, value & 0xffff);
        else {
          scratch8View.setUint32(0, value, true);
          scratch8View.setUint32(4, highs[i]!, true);
          memory.write(gpa, scratch8);
        }
        writes++;
        // The reader counts the writes an ioeventfd took: no second translation.
        if (memory.ioeventfdSignals !== signalsSeen) {
          kind = SampleKind.Ioeventfd;
          signals++;
        }
      } else {
        let value: number;
        if (size === 4) value = memory.readU32(gpa);
        else if (size === 1) value = memory.readU8(gpa);
        else if (size === 2) value = memory.readU16(gpa);
        else {
          memory.read(gpa, scratch8);
          value = scratch8View.getUint32(0, true);
          if (value !== scratch8View.getUint32(4, true)) value = -1;
        }
        reads++;
        if (checkPoison && value === poison && size >= 4 && mailbox.exits === exitsSeen) {
          poisonReads++;
          kind = SampleKind.Poison;
          generation = memory.generation; // the view the read went through
        }
      }
      if (mailbox.exits !== exitsSeen) kind = SampleKind.MmioExit;
      else if (isRam) ramAccesses++;
    } catch (e) {
      if (countFault(e, tally)) break;
      kind = SampleKind.Fault;
    }
    accesses++;
    // Every Nth access is sampled; every poison read is recorded.
    const periodic = sampleEvery > 0 && --untilSample === 0;
    if (periodic) untilSample = sampleEvery;
    if (periodic || kind === SampleKind.Poison) {
      if (recordSample(memory, samples, gpa, kind, generation)) sampleCount++;
    }
    // An exit took the owner's time: end the batch there, a quiescent point too.
    if (mailbox.exits !== exitsSeen) break;
  }
  tally.accesses += accesses;
  tally.reads += reads;
  tally.writes += writes;
  tally.signals += signals;
  tally.poisonReads += poisonReads;
  tally.samples += sampleCount;
  tally.ramAccesses += ramAccesses;
  tally.untilSample = untilSample;
  return next;
}

/**
 * Counts the failed access `e` in `tally`; true when it was a `ReaderFault` (the slice
 * ends: `readerFault` is set). Anything but an `AddressSpaceError` is rethrown.
 */
export function countFault(e: unknown, tally: BatchTally): boolean {
  const code = (e as { code?: string }).code;
  if (code === undefined) throw e;
  if (code === 'ReaderFault') {
    tally.readerFault = true;
    return true;
  }
  tally.faults++;
  if (code === 'IoAccess') tally.ioAccessFaults++;
  else if (code === 'RegionNotFound') tally.notFoundFaults++;
  else if (code === 'RegionType') tally.typeFaults++;
  return false;
}

/**
 * One translation sample, as the view that answered the translation saw it (translating
 * is an access: it may adopt a newer view than the access used). `generation` >= 0 pins
 * the view the access went through (a poison read): if the translation came from another
 * view, region and host address are recorded as unknown (-1) rather than taken from the
 * wrong one. A translation that faults records nothing.
 */
export function recordSample(
  memory: Pick<SharedViewReader, 'translate'>,
  samples: SampleRing,
  gpa: number,
  kind: SampleKind,
  generation: number,
): boolean {
  try {
    memory.translate(gpa, translation);
  } catch {
    return false;
  }
  let seen = translation.generation;
  let regionId = translation.regionId;
  let host = translation.hostAddress;
  if (generation >= 0 && seen !== generation) {
    regionId = -1;
    host = -1;
    seen = generation;
  }
  return pushTranslationSample(samples, seen, gpa, regionId, host, kind);
}
