/**
 * Runs one vCPU slice inside a pool thread: the body of `KVM_RUN`.
 *
 * A slice goes `online`, generates accesses from the vCPU's workload and performs them
 * through its reader in batches (after each batch, and after each MMIO exit: a quiescent
 * point, the counters published, the stop flag and the clock checked), then saves the
 * workload position, goes `offline` and returns an exit record. An `AddressSpaceError`
 * from an access (the topology moved under the workload, a device failed with `IoAccess`)
 * is counted and the slice goes on; a `ReaderFault` (evicted, or a buffer this reader was
 * never told about) ends the slice and drops this thread's attachment so the next slice
 * attaches afresh.
 *
 * Nothing here allocates per access. This module never schedules slices (the pool does)
 * and never serves exits (the owner does).
 */
import { threadId } from 'node:worker_threads';
import type { SharedViewReader } from '../reader/reader-api.js';
import { Translation } from '../reader/translation.js';
import { RAM_ACCESS } from './access-pattern.js';
import { pushTranslationSample, SampleKind } from './sampler.js';
import { contextFor, dropContext } from './vcpu-context.js';
import type { SliceExitReason, VcpuSliceExit, VcpuSliceTask } from './vcpu-protocol.js';
import { Counter, VCPU_COUNTERS, type VcpuStateTable, VcpuStatus } from './vcpu-state.js';
import { verifiedVcpuFor } from './verified-step.js';

/** The vCPU's counters when the slice began, and this slice's deltas (indexed by `Counter`). */
const before = new Float64Array(VCPU_COUNTERS.length);
const delta = new Float64Array(VCPU_COUNTERS.length);
const totals = new Float64Array(VCPU_COUNTERS.length);
const scratch8 = new Uint8Array(8);
const scratch8View = new DataView(scratch8.buffer);
const translation = new Translation();

function publishCounters(state: VcpuStateTable, vcpu: number): void {
  for (let i = 0; i < totals.length; i++) totals[i] = before[i]! + delta[i]!;
  state.storeCounters(vcpu, totals);
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
  delta.fill(0);
  const exitsBefore = mailbox.exits;

  let reason: SliceExitReason = 'budget';
  let startGeneration = 0;
  let accesses = 0;
  let reads = 0;
  let writes = 0;
  let signals = 0;
  let faults = 0;
  let poisonReads = 0;
  let ioAccessFaults = 0;
  let notFoundFaults = 0;
  let typeFaults = 0;
  let sampleCount = 0;
  let ramAccesses = 0;
  // Self-checking memory (--verify all): RAM accesses go through the verified path.
  const verified = task.verify === true ? verifiedVcpuFor(task) : undefined;
  verified?.startSlice();
  try {
    memory.online();
    startGeneration = memory.generation;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ReaderFault') throw e;
    reason = 'fault';
  }

  const batch = Math.max(1, Math.min(1024, task.batch | 0));
  const sampleEvery = task.sampleEvery | 0;
  const poison = task.poisonWord;
  const checkPoison = poison >= 0;
  // Every Nth access of the vCPU's whole life is sampled, across slices and threads.
  let untilSample = sampleEvery > 0 ? sampleEvery - (before[Counter.accesses]! % sampleEvery) : 0;

  while (reason !== 'fault') {
    const exitsSeen = mailbox.exits;
    for (let i = 0; i < batch; i++) {
      gen.next();
      const gpa = gen.gpa;
      let kind = SampleKind.Read;
      let generation = -1;
      try {
        if (verified?.access(memory, gen, samples, gen.target === RAM_ACCESS)) {
          if (gen.isWrite) writes++;
          else reads++;
        } else if (gen.isWrite) {
          kind = SampleKind.Write;
          const signalsSeen = memory.ioeventfdSignals;
          let value = gen.value;
          // Guest RAM never holds the poison word by the workload's doing.
          if (value === poison && gen.target === RAM_ACCESS) value ^= 1;
          switch (gen.size) {
            case 1:
              memory.writeU8(gpa, value & 0xff);
              break;
            case 2:
              memory.writeU16(gpa, value & 0xffff);
              break;
            case 4:
              memory.writeU32(gpa, value);
              break;
            default:
              scratch8View.setUint32(0, value, true);
              scratch8View.setUint32(4, gen.valueHigh, true);
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
          switch (gen.size) {
            case 1:
              value = memory.readU8(gpa);
              break;
            case 2:
              value = memory.readU16(gpa);
              break;
            case 4:
              value = memory.readU32(gpa);
              break;
            default:
              memory.read(gpa, scratch8);
              value = scratch8View.getUint32(0, true);
              if (value !== scratch8View.getUint32(4, true)) value = -1;
          }
          reads++;
          if (checkPoison && value === poison && gen.size >= 4 && mailbox.exits === exitsSeen) {
            poisonReads++;
            kind = SampleKind.Poison;
            generation = memory.generation; // the view the read went through
          }
        }
        if (mailbox.exits !== exitsSeen) kind = SampleKind.MmioExit;
        else if (gen.target === RAM_ACCESS) ramAccesses++;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === undefined) throw e;
        if (code === 'ReaderFault') {
          reason = 'fault';
          break;
        }
        faults++;
        kind = SampleKind.Fault;
        if (code === 'IoAccess') ioAccessFaults++;
        else if (code === 'RegionNotFound') notFoundFaults++;
        else if (code === 'RegionType') typeFaults++;
      }
      accesses++;
      // Every Nth access is sampled; every poison read is recorded.
      const periodic = sampleEvery > 0 && --untilSample === 0;
      if (periodic) untilSample = sampleEvery;
      if (periodic || kind === SampleKind.Poison) {
        if (recordSample(ctx.memory, samples, gpa, kind, generation)) sampleCount++;
      }
      // An exit took the owner's time: end the batch there, a quiescent point too.
      if (mailbox.exits !== exitsSeen) break;
    }
    if (reason !== 'fault') {
      try {
        memory.quiescent();
      } catch (e) {
        if ((e as { code?: string }).code !== 'ReaderFault') throw e;
        reason = 'fault';
      }
    }
    delta[Counter.accesses] = accesses;
    delta[Counter.reads] = reads;
    delta[Counter.writes] = writes;
    delta[Counter.mmioExits] = mailbox.exits - exitsBefore;
    delta[Counter.ioeventfdSignals] = signals;
    delta[Counter.faults] = faults;
    delta[Counter.poisonReads] = poisonReads;
    delta[Counter.samples] = sampleCount;
    delta[Counter.ioAccessFaults] = ioAccessFaults;
    delta[Counter.regionNotFoundFaults] = notFoundFaults;
    delta[Counter.regionTypeFaults] = typeFaults;
    delta[Counter.ramAccesses] = ramAccesses;
    if (verified !== undefined) {
      delta[Counter.verifiedAccesses] = verified.verified;
      delta[Counter.unverifiedAccesses] = verified.unverified;
      delta[Counter.tagViolations] = verified.violations;
    }
    publishCounters(state, vcpu);
    if (reason === 'fault') break;
    if (state.stopRequested(vcpu)) {
      reason = 'stopped';
      break;
    }
    if (accesses >= task.budget.maxAccesses) break;
    if (performance.now() >= deadline) {
      reason = 'time';
      break;
    }
  }

  const endGeneration = memory.generation;
  memory.offline();
  delta[Counter.slices] = 1;
  publishCounters(state, vcpu);
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
    accesses,
    reads,
    writes,
    mmioExits: mailbox.exits - exitsBefore,
    ioeventfdSignals: signals,
    faults,
    poisonReads,
    startGeneration,
    endGeneration,
    startedAt,
    durationMs: performance.now() - started,
  };
}

/**
 * One translation sample, as the view that answered the translation saw it (translating
 * is an access: it may adopt a newer view than the access used). `generation` >= 0 pins
 * the view the access went through (a poison read): if the translation came from another
 * view, region and host address are recorded as unknown (-1) rather than taken from the
 * wrong one. A translation that faults records nothing.
 */
function recordSample(
  memory: Pick<SharedViewReader, 'translate'>,
  samples: Parameters<typeof pushTranslationSample>[0],
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
