/**
 * `environmentInfo()`: where a report was made (Node version, cores, CPU model,
 * platform), for the `environment` key of `RunReport` and `BenchReport`. It reads
 * `process` and `node:os` and nothing else.
 */
import { availableParallelism, cpus } from 'node:os';
import type { EnvironmentInfo } from './report-types.js';

export function environmentInfo(): EnvironmentInfo {
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? '',
    platform: `${process.platform}-${process.arch}`,
  };
}
