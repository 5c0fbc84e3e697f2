/**
 * Worker entry point of a vCPU pool thread (piscina). Thin: it loads the workload module
 * a task names (once per thread; SPEC 9 `--workload ./file.js`), runs one slice per task
 * through `concurrent/vcpu/vcpu-slice.ts` and returns the exit record.
 */

import type { VcpuSliceExit, VcpuSliceTask } from '../src/concurrent/vcpu/vcpu-protocol.js';
import { runSlice } from '../src/concurrent/vcpu/vcpu-slice.js';
import { loadWorkloadPlugin } from '../src/concurrent/vcpu/workload-plugin.js';

export default function runVcpuSlice(task: VcpuSliceTask): VcpuSliceExit | Promise<VcpuSliceExit> {
  const plugin = task.workload.plugin;
  if (plugin === undefined) return runSlice(task);
  return loadWorkloadPlugin(plugin.url).then(() => runSlice(task));
}
