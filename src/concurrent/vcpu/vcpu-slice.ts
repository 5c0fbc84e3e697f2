/**
 * Runs one vCPU slice inside a pool thread: the body of `KVM_RUN`.
 *
 * A slice goes `online`, generates accesses from the vCPU's workload a block at a time
 * (`AccessGenerator.fill`, one batch per block) and performs them through its reader in
 * batches (`vcpu-batch.ts`; after each batch, and after each MMIO exit: a quiescent
 * point, the stop flag and the clock checked, and the counters published when a
 * millisecond has passed since they last were, after an exit, and at the end), then saves
 * the workload position (stepped back to the first generated access it did not perform, so
 * each seed's stream is the same however slices cut it), goes `offline` and returns an
 * exit record. A `seq` or `hot` workload of 4-byte accesses (no self-checking, no stall)
 * takes the fused path instead (`vcpu-ram-batch.ts`: each access generated and performed in one
 * loop, the stream position kept exact, nothing to step back). An `AddressSpaceError`
 * from an access (the topology moved under the workload, a device failed with `IoAccess`)
 * is counted and the slice goes on; a `ReaderFault` (evicted, or a buffer this reader was
 * never told about) ends the slice and drops this thread's attachment so the next slice
 * attaches afresh.
 *
 * Nothing here allocates per access. This module never schedules slices (the pool does)
 * and never serves exits (the owner does).
 */
import { threadId } from 'node:worker_threads';
import { wallClockMs } from '../../base/clock.js';
import type { SharedViewReader } from '../reader/reader-api.js';
import { AccessBlock, RAM_ACCESS } from './access-pattern.js';
import type { RawGuestMemory } from './raw-memory.js';
import { pushTranslationSample, SampleKind, type SampleRing } from './sampler.js';
import { BatchTally, performBatch, recordSample } from './vcpu-batch.js';
import { contextFor, dropContext } from './vcpu-context.js';
import type { SliceExitReason, VcpuSliceExit, VcpuSliceTask } from './vcpu-protocol.js';
import { performRamBatch } from './vcpu-ram-batch.js';
import { StallResult, stallInsideRead } from './vcpu-stall.js';
import { Counter, VCPU_COUNTERS, type VcpuStateTable, VcpuStatus } from './vcpu-state.js';
import { type VerifiedVcpu, verifiedVcpuFor } from './verified-step.js';

/** The vCPU's counters when the slice began, and this slice's deltas (indexed by `Counter`). */
const before = new Float64Array(VCPU_COUNTERS.length);
const delta = new Float64Array(VCPU_COUNTERS.length);
const totals = new Float64Array(VCPU_COUNTERS.length);
/** The vCPU's counters as this thread last loaded or stored them. */
const stored = new Float64Array(VCPU_COUNTERS.length);
const tally = new BatchTally();
/** The accesses of the current batch, generated in one `fill` (the pool's batch is <= 1024). */
const block = new AccessBlock(1024);

function publishCounters(state: VcpuStateTable, vcpu: number): void {
  for (let i = 0; i < totals.length; i++) totals[i] = before[i]! + delta[i]!;
  state.storeChangedCounters(vcpu, totals, stored);
}

/** How often a running slice publishes its counters (milliseconds). */
const PUBLISH_EVERY_MS = 1;

/** This slice's counter deltas (indexed by `Counter`) from what its batches did. */
function tallyInto(
  into: Float64Array,
  tally: BatchTally,
  exits: number,
  verified: VerifiedVcpu | undefined,
  stalls: number,
): void {
  into[Counter.accesses] = tally.accesses;
  into[Counter.reads] = tally.reads;
  into[Counter.writes] = tally.writes;
  into[Counter.mmioExits] = exits;
  into[Counter.ioeventfdSignals] = tally.signals;
  into[Counter.faults] = tally.faults;
  into[Counter.poisonReads] = tally.poisonReads;
  into[Counter.samples] = tally.samples;
  into[Counter.ioAccessFaults] = tally.ioAccessFaults;
  into[Counter.regionNotFoundFaults] = tally.notFoundFaults;
  into[Counter.regionTypeFaults] = tally.typeFaults;
  into[Counter.ramAccesses] = tally.ramAccesses;
  if (verified !== undefined) {
    into[Counter.verifiedAccesses] = verified.verified;
    into[Counter.unverifiedAccesses] = verified.unverified;
    into[Counter.tagViolations] = verified.violations;
  }
  into[Counter.stalls] = stalls;
}

/** Runs one slice of `task.vcpu` on this thread and returns its exit record. */
export function runSlice(task: VcpuSliceTask): VcpuSliceExit {
  const ctx = contextFor(task);
  const { memory, state, mailbox, samples, generator: gen } = ctx;
  const vcpu = task.vcpu;
  const startedAt = performance.timeOrigin + performance.now();
  const started = performance.now();
  const deadline = started + task.budget.maxMs;

  state.setThreadId(vcpu, threadId);
  state.setStatus(vcpu, VcpuStatus.Running);
  const saved = state.generatorWords(vcpu);
  if (saved.saved) gen.restore(saved.words, saved.at);
  else gen.reset();
  state.loadCounters(vcpu, before);
  stored.set(before);
  delta.fill(0);
  const exitsBefore = mailbox.exits;

  let reason: SliceExitReason = 'budget';
  let startGeneration = 0;
  // Self-checking memory (--verify all): RAM accesses go through the verified path.
  const verified = task.verify === true ? verifiedVcpuFor(task) : undefined;
  verified?.startSlice();
  let stalls = 0;
  // The table age check (reader/table-age.ts) is reported whenever the run checks.
  const checking = task.poisonWord >= 0 || verified !== undefined;
  let reclaimedSeen = (memory as SharedViewReader).reclaimedTableUses;
  try {
    memory.online();
    startGeneration = memory.generation;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ReaderFault') throw e;
    reason = 'fault';
  }

  const batch = Math.max(1, Math.min(1024, task.batch | 0));
  const sampleEvery = task.sampleEvery | 0;
  const settings = { sampleEvery, poison: task.poisonWord };
  // Every Nth access of the vCPU's whole life is sampled, across slices and threads.
  tally.reset(sampleEvery > 0 ? sampleEvery - (before[Counter.accesses]! % sampleEvery) : 0);

  // The fused path (vcpu-ram-batch.ts): a RAM workload of 4-byte accesses the generator
  // lends out, no self-checking, no stall. Otherwise accesses are generated a block at a
  // time, and so is `random`: its accesses miss the caches, and a block's addresses, known
  // ahead, let the misses overlap (fused, 64 MiB, raw: 94 ns per access against 36).
  const fused =
    verified === undefined && !(task.stallMs > 0) && gen.workload.kind !== 'random'
      ? gen.openRamRun()
      : undefined;
  // Accesses [next, block.length) of the block are generated and not yet performed.
  let next = 0;
  block.length = 0;
  let publishDue = started + PUBLISH_EVERY_MS;
  let exitsPublished = exitsBefore;
  while (reason !== 'fault') {
    if (fused !== undefined)
      performRamBatch(memory, mailbox, samples, fused, batch, settings, tally);
    else {
      if (next === block.length) {
        gen.fill(block, batch);
        next = 0;
      }
      next = performBatch(memory, mailbox, samples, block, next, settings, tally, verified);
    }
    if (checking && (memory as SharedViewReader).reclaimedTableUses !== reclaimedSeen) {
      reclaimedSeen = reportReclaimedTableUses(memory, samples, reclaimedSeen);
      tally.samples++;
    }
    // The stalled-reader scenario: at a batch boundary whose last access was RAM, once due.
    const last = next - 1;
    if (
      fused === undefined &&
      task.stallMs > 0 &&
      !tally.readerFault &&
      last >= 0 &&
      block.target[last] === RAM_ACCESS &&
      wallClockMs() >=
        task.stallSinceMs + (before[Counter.stalls]! + stalls + 1) * task.stallEveryMs
    ) {
      const gpa = block.gpa[last]!;
      const stalled = stallInsideRead(memory, gpa, task.stallMs, task.poisonWord);
      if (stalled === StallResult.Fault) tally.readerFault = true;
      if (stalled === StallResult.Done || stalled === StallResult.Poison) stalls++;
      if (stalled === StallResult.Poison) {
        tally.poisonReads++;
        if (recordSample(memory, samples, gpa, SampleKind.Poison, memory.generation)) {
          tally.samples++;
        }
      }
    }
    if (tally.readerFault) reason = 'fault';
    else {
      try {
        memory.quiescent();
      } catch (e) {
        if ((e as { code?: string }).code !== 'ReaderFault') throw e;
        reason = 'fault';
      }
    }
    // Counters go out at most every PUBLISH_EVERY_MS (and after an exit, a fault, and at
    // the slice's end): a batch of cached accesses takes a few microseconds, and
    // publishing each one cost a tenth of it.
    const now = performance.now();
    if (reason === 'fault' || now >= publishDue || mailbox.exits !== exitsPublished) {
      tallyInto(delta, tally, mailbox.exits - exitsBefore, verified, stalls);
      publishCounters(state, vcpu);
      exitsPublished = mailbox.exits;
      publishDue = now + PUBLISH_EVERY_MS;
    }
    if (reason === 'fault') break;
    if (state.stopRequested(vcpu)) {
      reason = 'stopped';
      break;
    }
    if (tally.accesses >= task.budget.maxAccesses) break;
    if (now >= deadline) {
      reason = 'time';
      break;
    }
  }

  const endGeneration = memory.generation;
  memory.offline();
  tallyInto(delta, tally, mailbox.exits - exitsBefore, verified, stalls);
  delta[Counter.slices] = 1;
  publishCounters(state, vcpu);
  // Accesses generated but not performed come first in the vCPU's next slice.
  if (fused !== undefined) gen.closeRamRun();
  else gen.rewindTo(next);
  gen.save(saved.words, saved.at);
  state.markGeneratorSaved(vcpu);
  state.setThreadId(vcpu, -1);
  state.setStatus(vcpu, VcpuStatus.Idle);
  if (reason === 'fault') dropContext(task);

  return {
    vcpu,
    slice: task.slice,
    threadId,
    reason,
    accesses: tally.accesses,
    reads: tally.reads,
    writes: tally.writes,
    mmioExits: mailbox.exits - exitsBefore,
    ioeventfdSignals: tally.signals,
    faults: tally.faults,
    poisonReads: tally.poisonReads,
    startGeneration,
    endGeneration,
    startedAt,
    durationMs: performance.now() - started,
  };
}

/**
 * Pushes one `ReclaimedTable` sample for the accesses that used a reclaimed view table
 * since `seen` (the reader's count); returns the count now.
 */
function reportReclaimedTableUses(
  memory: SharedViewReader | RawGuestMemory,
  samples: SampleRing,
  seen: number | undefined,
): number | undefined {
  const reader = memory as SharedViewReader;
  const now = reader.reclaimedTableUses;
  const last = reader.lastReclaimedUse;
  if (now === undefined || last === undefined) return now;
  pushTranslationSample(
    samples,
    last.generation,
    last.gpa,
    last.epochFound,
    now - (seen ?? 0),
    SampleKind.ReclaimedTable,
  );
  return now;
}
