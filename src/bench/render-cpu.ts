/**
 * Render cost in main-thread CPU time, for machines where other load makes wall-clock
 * numbers meaningless (Linux only: reads `/proc/thread-self/stat`, 10 ms ticks, so runs
 * are repeated until each measurement spans many ticks). Same trees and changes as
 * `render.ts`. Run: `npm run build && node dist/src/bench/render-cpu.js [1000,10000,100000]
 * [grouped|flat]`. Not part of the test suite.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { AddressSpace } from '../core/address-space.js';
import { HostMemMapping } from '../host/mapping.js';
import { buildTree, type RenderTreeShape } from './render.js';

/** Linux USER_HZ: clock ticks per second in `/proc/.../stat`. */
const TICKS_PER_SECOND = 100;
/** Keep each measurement at least this long in CPU time (50 ticks). */
const MIN_MEASURED_US = 500_000;

function threadCpuUs(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted from 1)
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
}

/** Repeats `step` until it used MIN_MEASURED_US of CPU; returns CPU µs per step. */
function cpuPerStep(step: () => void): number {
  const start = threadCpuUs();
  let steps = 0;
  while (threadCpuUs() - start < MIN_MEASURED_US) {
    step();
    steps++;
  }
  return (threadCpuUs() - start) / steps;
}

export function measureRenderCpu(counts: number[], shape: RenderTreeShape) {
  const mapping = HostMemMapping.create({ size: 0x1000, name: 'bench-leaf' });
  const rows: {
    regions: number;
    ranges: number;
    fullRenderCpuUs: number;
    singleChangeCpuUs: number;
  }[] = [];
  try {
    for (const count of counts) {
      const { root, leaves } = buildTree(count, shape, mapping);
      const fullRenderCpuUs = cpuPerStep(() => new AddressSpace(root, 'bench').destroy());
      const space = new AddressSpace(root, 'bench');
      let seed = 12345;
      const singleChangeCpuUs = cpuPerStep(() => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const leaf = leaves[seed % leaves.length]!;
        leaf.setEnabled(!leaf.enabled);
      });
      rows.push({
        regions: count,
        ranges: space.flatView.rangeCount,
        fullRenderCpuUs: Math.round(fullRenderCpuUs),
        singleChangeCpuUs: Math.round(singleChangeCpuUs * 10) / 10,
      });
      space.destroy();
    }
  } finally {
    mapping.release();
  }
  return rows;
}

/** CPU µs to allocate `n` objects shaped like flat ranges: what any renderer must pay. */
function allocationFloorUs(n: number): number {
  const owner = {};
  let keep: unknown[] = [];
  return (
    cpuPerStep(() => {
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++)
        out[i] = { addrRange: { base: i, size: 1 }, owner, offsetInRegion: 0 };
      keep = out;
    }) +
    keep.length * 0
  );
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  const counts = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
  const shape = (process.argv[3] ?? 'grouped') as RenderTreeShape;
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
  console.log(`node ${process.version}, shape ${shape}, load ${load()}`);
  const rows = measureRenderCpu(counts, shape);
  console.table(rows);
  const last = rows[rows.length - 1]!;
  console.log(
    `floor on this machine: allocating ${last.ranges} bare range objects costs ${Math.round(allocationFloorUs(last.ranges))} us CPU`,
  );
  console.log(`load after: ${load()}`);
}
