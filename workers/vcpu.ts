/**
 * Worker entry point of a vCPU pool thread (piscina). Thin: it loads the plug-in modules
 * a task names (a strategy's, a workload's; once per thread, before the first slice that
 * needs them), runs one slice per task through `concurrent/vcpu/vcpu-slice.ts` and
 * returns the exit record.
 */

import { SharedView } from '../src/concurrent/strategies/shared-view.js';
import type { VcpuSliceExit, VcpuSliceTask } from '../src/concurrent/vcpu/vcpu-protocol.js';
import { runSlice } from '../src/concurrent/vcpu/vcpu-slice.js';
import { loadWorkloadPlugin } from '../src/concurrent/vcpu/workload-plugin.js';

export default function runVcpuSlice(task: VcpuSliceTask): VcpuSliceExit | Promise<VcpuSliceExit> {
  const memory = task.memory;
  const strategy = memory.kind !== 'raw' && SharedView.needsPrepare(memory.handle);
  const workload = task.workload.plugin;
  if (!strategy && workload === undefined) return runSlice(task);
  return (async () => {
    if (strategy) await SharedView.prepare(memory.handle);
    if (workload !== undefined) await loadWorkloadPlugin(workload.url);
    return runSlice(task);
  })();
}
