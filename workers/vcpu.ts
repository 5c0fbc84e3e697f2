/**
 * Worker entry point of a vCPU pool thread (piscina). Thin: it runs one slice per task
 * through `concurrent/vcpu/vcpu-slice.ts` and returns the exit record.
 */

import type { VcpuSliceExit, VcpuSliceTask } from '../src/concurrent/vcpu/vcpu-protocol.js';
import { runSlice } from '../src/concurrent/vcpu/vcpu-slice.js';

export default function runVcpuSlice(task: VcpuSliceTask): VcpuSliceExit {
  return runSlice(task);
}
