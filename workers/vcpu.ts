/**
 * Worker entry point of a vCPU pool thread (piscina). Thin: it runs one slice per task
 * through `concurrent/vcpu/vcpu-slice.ts` and returns the exit record.
 */

import { SharedView } from '../src/concurrent/strategies/shared-view.js';
import type { VcpuSliceExit, VcpuSliceTask } from '../src/concurrent/vcpu/vcpu-protocol.js';
import { runSlice } from '../src/concurrent/vcpu/vcpu-slice.js';

export default function runVcpuSlice(task: VcpuSliceTask): VcpuSliceExit | Promise<VcpuSliceExit> {
  // A plug-in strategy's module is imported in this thread once, before its first slice.
  const memory = task.memory;
  if (memory.kind !== 'raw' && SharedView.needsPrepare(memory.handle)) {
    return SharedView.prepare(memory.handle).then(() => runSlice(task));
  }
  return runSlice(task);
}
