/**
 * Runs one vCPU slice inside a pool thread: the body of `KVM_RUN`.
 *
 * A slice joins grace-period accounting (`online`), generates accesses from the vCPU's
 * workload and performs them through its reader in batches (a quiescent point after each
 * batch, after each MMIO exit, and a stop / time check), then saves the workload position
 * and counters into the vCPU's shared state, goes `offline` and returns an exit record.
 * Faults (`AddressSpaceError` from an access: the topology moved under the workload, or a
 * device failed with `IoAccess`) are counted and the slice goes on.
 *
 * Per-thread caches (the attached reader, the generator, the mailbox client) are keyed by
 * pool and vCPU, so any thread can pick up any vCPU. Nothing here allocates per access.
 * This module never schedules slices (the pool does) and never serves exits (the owner does).
 */
import { threadId } from 'node:worker_threads';
import { AccessGenerator, RAM_ACCESS, type WorkloadDescription } from './access-pattern.js';
import { MmioMailboxClient } from './mmio-mailbox.js';
import { RawGuestMemory } from './raw-memory.js';
import type { MmioExitHandler } from './reader-api.js';
import { pushTranslationSample, SampleKind, SampleRing } from './sampler.js';
import type {
  SliceExitReason,
  VcpuMemorySpec,
  VcpuSliceExit,
  VcpuSliceTask,
} from './vcpu-protocol.js';
import { Counter, VCPU_COUNTERS, VcpuStateTable, VcpuStatus } from './vcpu-state.js';

/** What the slice needs from guest memory: the reader interface, strategy-agnostic. */
export interface SliceMemory {
  readonly generation: number;
  online(): void;
  offline(): void;
  quiescent(): void;
  setMmioHandler(handler: MmioExitHandler | undefined): void;
  readU8(gpa: number): number;
  readU16(gpa: number): number;
  readU32(gpa: number): number;
  writeU8(gpa: number, value: number): void;
  writeU16(gpa: number, value: number): void;
  writeU32(gpa: number, value: number): void;
  read(gpa: number, dst: Uint8Array): void;
  write(gpa: number, src: Uint8Array): void;
  /**
   * Optional translation probe for samples: resolves `gpa` in the view the reader holds
   * now (no adoption) and returns the region id or -1; `probeHostAddress` then holds the
   * host address or -1.
   */
  probe?(gpa: number): number;
  readonly probeHostAddress?: number;
  /** Optional: ioeventfds this reader signalled so far. */
  readonly ioeventfdSignals?: number;
}

/** Attaches guest memory for a spec; `shared` specs are served by an attacher set at startup. */
export type SharedMemoryAttacher = (spec: VcpuMemorySpec & { kind: 'shared' }) => SliceMemory;
let attachShared: SharedMemoryAttacher | undefined;

/** Installs how this thread attaches published address spaces (the worker entry does it). */
export function setSharedMemoryAttacher(attach: SharedMemoryAttacher): void {
  attachShared = attach;
}

function attachMemory(spec: VcpuMemorySpec): SliceMemory {
  if (spec.kind === 'raw') return new RawGuestMemory(spec.handle);
  if (attachShared === undefined) throw new Error('no shared-view attacher in this thread');
  return attachShared(spec);
}

interface VcpuContext {
  readonly memory: SliceMemory;
  readonly state: VcpuStateTable;
  readonly mailbox: MmioMailboxClient;
  readonly samples: SampleRing;
  generator: AccessGenerator;
  workloadKey: string;
}

const contexts = new Map<string, VcpuContext>();
/** The vCPU's counters when the slice began, and this slice's deltas (indexed by `Counter`). */
const before = new Float64Array(VCPU_COUNTERS.length);
const delta = new Float64Array(VCPU_COUNTERS.length);
const totals = new Float64Array(VCPU_COUNTERS.length);
const scratch8 = new Uint8Array(8);
const scratch8View = new DataView(scratch8.buffer);

function contextFor(task: VcpuSliceTask): VcpuContext {
  const key = `${task.poolId}/${task.vcpu}`;
  const workloadKey = JSON.stringify(task.workload);
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    const state = new VcpuStateTable(task.stateBuffer);
    const memory = attachMemory(task.memory);
    const mailbox = new MmioMailboxClient(
      task.mailbox,
      new SampleRing(task.latencyRing),
      (waiting) => state.setStatus(task.vcpu, waiting ? VcpuStatus.InMmioExit : VcpuStatus.Running),
    );
    memory.setMmioHandler(mailbox.handler);
    ctx = {
      memory,
      state,
      mailbox,
      samples: new SampleRing(task.sampleRing),
      generator: new AccessGenerator(task.workload),
      workloadKey,
    };
    contexts.set(key, ctx);
  } else if (ctx.workloadKey !== workloadKey) {
    ctx.generator = new AccessGenerator(task.workload as WorkloadDescription);
    ctx.workloadKey = workloadKey;
  }
  return ctx;
}

/** Forgets this thread's caches for a pool (its buffers can then be collected). */
export function forgetPool(poolId: string): void {
  for (const key of [...contexts.keys()]) if (key.startsWith(`${poolId}/`)) contexts.delete(key);
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
  state.loadCounters(vcpu, before);
  delta.fill(0);
  const exitsBefore = mailbox.exits;
  const signalsBefore = memory.ioeventfdSignals ?? 0;

  memory.online();
  memory.quiescent();
  const startGeneration = memory.generation;

  const batch = Math.max(1, Math.min(1024, task.batch | 0));
  const sampleEvery = task.sampleEvery | 0;
  const poison = task.poisonWord;
  const checkPoison = poison >= 0;
  let untilSample = sampleEvery;
  let accesses = 0;
  let reads = 0;
  let writes = 0;
  let faults = 0;
  let poisonReads = 0;
  let ioAccessFaults = 0;
  let notFoundFaults = 0;
  let typeFaults = 0;
  let sampleCount = 0;
  let reason: SliceExitReason = 'budget';

  for (;;) {
    let exitsSeen = mailbox.exits;
    for (let i = 0; i < batch; i++) {
      gen.next();
      const gpa = gen.gpa;
      let kind = SampleKind.Read;
      try {
        if (gen.isWrite) {
          kind = SampleKind.Write;
          let value = gen.value;
          if (value === poison) value ^= 1;
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
          if (checkPoison && value === poison && gen.size >= 4 && gen.target === RAM_ACCESS) {
            poisonReads++;
            kind = SampleKind.Poison;
          }
        }
        if (mailbox.exits !== exitsSeen) kind = SampleKind.MmioExit;
      } catch (e) {
        faults++;
        kind = SampleKind.Fault;
        const code = (e as { code?: string }).code;
        if (code === 'IoAccess') ioAccessFaults++;
        else if (code === 'RegionNotFound') notFoundFaults++;
        else if (code === 'RegionType') typeFaults++;
        else if (code === undefined) throw e;
      }
      accesses++;
      // Every Nth access is sampled; every poison read is recorded.
      if ((sampleEvery > 0 && --untilSample <= 0) || kind === SampleKind.Poison) {
        untilSample = sampleEvery;
        const regionId = memory.probe === undefined ? -1 : memory.probe(gpa);
        const host = memory.probeHostAddress ?? -1;
        if (pushTranslationSample(samples, memory.generation, gpa, regionId, host, kind)) {
          sampleCount++;
        }
      }
      if (mailbox.exits !== exitsSeen) {
        // An exit took the owner's time; make it a quiescent point too.
        exitsSeen = mailbox.exits;
        break;
      }
    }
    memory.quiescent();
    delta[Counter.accesses] = accesses;
    delta[Counter.reads] = reads;
    delta[Counter.writes] = writes;
    delta[Counter.mmioExits] = mailbox.exits - exitsBefore;
    delta[Counter.ioeventfdSignals] = (memory.ioeventfdSignals ?? 0) - signalsBefore;
    delta[Counter.faults] = faults;
    delta[Counter.poisonReads] = poisonReads;
    delta[Counter.samples] = sampleCount;
    delta[Counter.ioAccessFaults] = ioAccessFaults;
    delta[Counter.regionNotFoundFaults] = notFoundFaults;
    delta[Counter.regionTypeFaults] = typeFaults;
    publishCounters(state, vcpu, delta);
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
  publishCounters(state, vcpu, delta);
  gen.save(saved.words, saved.at);
  state.markGeneratorSaved(vcpu);
  state.setThreadId(vcpu, -1);
  state.setStatus(vcpu, VcpuStatus.Idle);

  return {
    vcpu,
    slice: task.slice,
    threadId,
    reason,
    accesses,
    reads,
    writes,
    mmioExits: mailbox.exits - exitsBefore,
    ioeventfdSignals: (memory.ioeventfdSignals ?? 0) - signalsBefore,
    faults,
    poisonReads,
    startGeneration,
    endGeneration,
    startedAt,
    durationMs: performance.now() - started,
  };
}

function publishCounters(state: VcpuStateTable, vcpu: number, slice: Float64Array): void {
  for (let i = 0; i < totals.length; i++) totals[i] = before[i]! + slice[i]!;
  state.storeCounters(vcpu, totals);
}
