/**
 * A pool thread's cache of what it needs to run a vCPU: the attached guest memory (a
 * `SharedView` reader, or raw memory), the vCPU's shared state, its MMIO mailbox client,
 * its sample ring and its workload generator. Keyed by pool and vCPU, so any thread can
 * pick up any vCPU and keeps what it attached for the next time.
 *
 * A context is dropped (its reader closed) when its reader faulted: the next slice attaches
 * again from the fresh handle in its task. This module builds and caches; it never runs
 * accesses (`vcpu-slice.ts` does).
 */

import type { SharedViewReader } from '../reader/reader-api.js';
import { SharedView } from '../strategies/shared-view.js';
import { AccessGenerator } from './access-pattern.js';
import { MmioMailboxClient } from './mmio-mailbox.js';
import { RawGuestMemory } from './raw-memory.js';
import { SampleRing } from './sampler.js';
import type { VcpuMemorySpec, VcpuSliceTask } from './vcpu-protocol.js';
import { VcpuStateTable, VcpuStatus } from './vcpu-state.js';

export interface VcpuContext {
  /** A `SharedView` reader of any strategy, or raw memory (the same interface). */
  readonly memory: SharedViewReader | RawGuestMemory;
  readonly state: VcpuStateTable;
  readonly mailbox: MmioMailboxClient;
  readonly samples: SampleRing;
  generator: AccessGenerator;
  workloadKey: string;
}

const contexts = new Map<string, VcpuContext>();

function keyOf(task: VcpuSliceTask): string {
  return `${task.poolId}/${task.vcpu}`;
}

function attachMemory(spec: VcpuMemorySpec): SharedViewReader | RawGuestMemory {
  return spec.kind === 'raw' ? new RawGuestMemory(spec.handle) : SharedView.attach(spec.handle);
}

/** This thread's context for the task's vCPU, attaching on first use. */
export function contextFor(task: VcpuSliceTask): VcpuContext {
  const workloadKey = JSON.stringify(task.workload);
  const cached = contexts.get(keyOf(task));
  if (cached !== undefined) {
    if (cached.workloadKey !== workloadKey) {
      cached.generator = new AccessGenerator(task.workload);
      cached.workloadKey = workloadKey;
    }
    return cached;
  }
  const state = new VcpuStateTable(task.stateBuffer);
  const vcpu = task.vcpu;
  const memory = attachMemory(task.memory);
  const mailbox = new MmioMailboxClient(task.mailbox, new SampleRing(task.latencyRing), (waiting) =>
    state.setStatus(vcpu, waiting ? VcpuStatus.InMmioExit : VcpuStatus.Running),
  );
  memory.setMmioHandler(mailbox.handler);
  const ctx: VcpuContext = {
    memory,
    state,
    mailbox,
    samples: new SampleRing(task.sampleRing),
    generator: new AccessGenerator(task.workload),
    workloadKey,
  };
  contexts.set(keyOf(task), ctx);
  return ctx;
}

/** Forgets the task's vCPU context here; its reader must be offline. */
export function dropContext(task: VcpuSliceTask): void {
  const ctx = contexts.get(keyOf(task));
  if (ctx === undefined) return;
  contexts.delete(keyOf(task));
  ctx.memory.close();
}
